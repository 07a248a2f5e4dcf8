"""The Swagger page (/api/docs/) renders under the site's CSP without a violation."""

import pytest

from tests.conftest import ARTIFACTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_api_docs_render_with_no_csp_violation(page, live_server, screenshot):
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    # Chromium reports blocked resources as securitypolicyviolation events too.
    page.add_init_script(
        "window.__csp = []; document.addEventListener('securitypolicyviolation',"
        " e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));"
    )
    response = page.goto(live_server.url + "/api/docs/")
    assert response.status == 200
    page.wait_for_selector(".swagger-ui .info .title", timeout=15_000)
    page.wait_for_selector(".opblock", timeout=15_000)
    assert "iCentrex Privacy API" in page.locator(".swagger-ui .info .title").inner_text()
    assert page.evaluate("window.__csp") == []
    assert [p for p in problems if "Content Security Policy" in p or "Content-Security-Policy" in p] == []
    # The page's own stylesheet applied (it was the blocked inline <style>).
    assert page.evaluate("getComputedStyle(document.body).margin") == "0px"
    screenshot(page, "api-docs-1280")
    page.set_viewport_size({"width": 375, "height": 800})
    page.screenshot(path=str(ARTIFACTS / "api-docs-375.png"))  # the top of the page, at phone width
