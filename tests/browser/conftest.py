import pytest

from .axe import AXE, serious_violations


@pytest.fixture
def axe(page):
    """``axe(url)``: open the page (it must answer 200) and return its serious violations."""
    if not AXE.exists():
        pytest.skip("axe-core is not installed (bin/test installs it with npm)")

    def check(url: str) -> list:
        response = page.goto(url)
        assert response.status == 200, (url, response.status)
        return serious_violations(page)

    return check
