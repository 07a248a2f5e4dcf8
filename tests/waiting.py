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
