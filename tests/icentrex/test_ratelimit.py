import pytest

from core.ratelimit import parse_rate, rate_limit_consume


@pytest.mark.parametrize(
    ("rate", "expected"), [("10/h", (10, 3600)), ("5/10m", (5, 600)), ("1/s", (1, 1)), ("3/2d", (3, 172800))]
)
def test_rates_read_like_allauths(rate, expected):
    assert parse_rate(rate) == expected


@pytest.mark.parametrize("rate", ["", "10", "ten/h", "10/h/ip", "10/w"])
def test_a_malformed_rate_is_refused(rate):
    with pytest.raises(ValueError):
        parse_rate(rate)


def test_each_action_and_key_has_its_own_count():
    used = [rate_limit_consume(action="a", key="192.0.2.0", rate="2/h") for _ in range(3)]
    assert used == [True, True, False]
    assert rate_limit_consume(action="a", key="198.51.100.0", rate="2/h")
    assert rate_limit_consume(action="b", key="192.0.2.0", rate="2/h")


def test_a_use_may_cost_more_than_one(settings):
    from django.core.cache import cache

    cache.clear()
    assert rate_limit_consume(action="batch", key="all", rate="10/h", cost=7)
    assert rate_limit_consume(action="batch", key="all", rate="10/h", cost=3)  # exactly the limit
    assert not rate_limit_consume(action="batch", key="all", rate="10/h", cost=1)
    assert rate_limit_consume(action="other", key="all", rate="10/h", cost=10)
