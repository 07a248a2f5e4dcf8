"""The Swagger page needs nothing the CSP forbids: no inline style or script."""

import re

import pytest

pytestmark = pytest.mark.django_db


def test_the_swagger_page_has_no_inline_style_or_script(client):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<style" not in html and " style=" not in html
    assert all(re.search(r"\bsrc=", tag) for tag in re.findall(r"<script[^>]*>", html))
    assert "/static/css/swagger-page.css" in html
    assert "style-src 'self'" in response["Content-Security-Policy"]
    assert client.get("/static/css/swagger-page.css").status_code == 200
