"""Ids read from query strings and forms: anything that is not one is None."""

import pytest

from core.params import BIGINT_MAX, positive_id


@pytest.mark.parametrize(
    "value, expected",
    [
        ("1", 1),
        ("42", 42),
        (str(BIGINT_MAX), BIGINT_MAX),
        (str(BIGINT_MAX + 1), None),
        ("9" * 40, None),
        ("0", None),
        ("-1", None),
        ("²", None),  # a digit to str.isdigit, not to int()
        ("١٢", None),  # Arabic-Indic digits: int() reads them, the database column does not need to
        (" 1", None),
        ("", None),
        (None, None),
    ],
)
def test_positive_id(value, expected):
    assert positive_id(value) == expected
