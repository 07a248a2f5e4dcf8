"""Reading ids that arrive in a query string or form (a keyset cursor, a chosen
team): anything that is not one is None, so a view answers as if none were
given instead of failing. ``str.isdigit`` alone is not enough: "²" is a digit
to Python but not to ``int``, and a number past a bigint fails in the database."""

BIGINT_MAX = 2**63 - 1


def positive_id(value) -> int | None:
    """A database id (1 to the largest bigint) written in ASCII digits, else None."""
    if not isinstance(value, str) or not (value.isascii() and value.isdigit()) or len(value) > 19:
        return None
    number = int(value)
    return number if 0 < number <= BIGINT_MAX else None
