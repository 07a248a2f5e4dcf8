import pytest

from core.net import truncate_ip


@pytest.mark.parametrize(
    ("address", "stored"),
    [
        ("198.51.100.77", "198.51.100.0"),
        (" 10.0.0.255 ", "10.0.0.0"),
        ("2001:db8:abcd:12:1:2:3:4", "2001:db8:abcd::"),
        ("::ffff:198.51.100.77", "::"),
        ("", ""),
        (None, ""),
        ("not-an-ip", ""),
    ],
)
def test_only_the_network_part_of_an_ip_is_kept(address, stored):
    assert truncate_ip(address) == stored
