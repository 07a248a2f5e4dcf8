import time

import pytest


def wait_for(condition, timeout: float = 30.0, what: str = "the condition") -> None:
    """Poll ``condition`` (a real worker is doing something) until it holds, or fail."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    pytest.fail(f"timed out after {timeout:.0f} s waiting for {what}")


def wait_for_row(queryset, what: str, timeout: float = 30.0) -> None:
    """Wait until ``queryset`` finds a row: a worker records what it did in the
    transaction that did it (an email sent, say), which commits a moment after
    the effect can be seen outside the database."""
    wait_for(queryset.exists, timeout, what)
