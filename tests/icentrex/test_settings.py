import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[2]

PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "icentrex.settings.production",
    "SECRET_KEY": "k7#Qm2!vR9zP4xL8wN1cT6yB3hJ5gF0dS2aE7uI9oK4jH6lM8nB1vC3xZ5qW7eR9t",
    "ALLOWED_HOSTS": "privacy.icentrex.example",
    "EVIDENCE_MASTER_KEYS": "dGhpcy1pcy1hLTMyLWJ5dGUta2V5LWZvci10ZXN0cyE=",
    "EMAIL_URL": "smtp+tls://mailer:secret@smtp.icentrex.example:587",
    "CELERY_BROKER_URL": "redis://redis.icentrex.example:6379/0",
    # A throwaway key made for this test with audit.notes.SignerKey.generate.
    "TRANSPARENCY_SIGNING_KEY": "PRIVATE+KEY+privacy.icentrex.example+0bbb63dc+"
    "AeEKoDX2c4oXpxPMDWbMhbvtvJOfJenxQWIrgyJKOp3J",
}


def production_env(**overrides) -> dict:
    # The test process allows async-unsafe calls for Playwright; a deployment must not.
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    return {**env, **PRODUCTION_ENV, **overrides}


def test_production_profile_passes_check_deploy_with_zero_warnings():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=production_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_production_profile_refuses_to_start_without_its_secrets():
    env = {k: v for k, v in os.environ.items() if k not in PRODUCTION_ENV}
    env["DJANGO_SETTINGS_MODULE"] = "icentrex.settings.production"
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


NONCE = re.compile(r"'nonce-([^']+)'")


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["home", "account_login", "api-docs", "api-me", "api-schema"])
def test_every_response_has_a_csp(client, url):
    policy = client.get(reverse(url))["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "object-src 'none'" in policy
    assert "unsafe-inline" not in policy


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["home", "account_login", "account_signup"])
def test_every_page_gets_a_fresh_nonce(client, url):
    first = client.get(reverse(url))
    second = client.get(reverse(url))
    policies = [first["Content-Security-Policy"], second["Content-Security-Policy"]]
    for policy in policies:
        assert "default-src 'self'" in policy
        assert "frame-ancestors 'none'" in policy
        assert "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
    nonces = [NONCE.search(policy).group(1) for policy in policies]
    assert nonces[0] != nonces[1]


@pytest.mark.django_db
def test_inline_scripts_carry_the_responses_nonce(client):
    response = client.get(reverse("home"))
    nonce = NONCE.search(response["Content-Security-Policy"]).group(1)
    scripts = re.findall(r"<script[^>]*>", response.content.decode())
    assert scripts, "the page loads htmx"
    for tag in scripts:
        # A data block (json_script) is never run, so the CSP does not apply to it.
        assert f'nonce="{nonce}"' in tag or "src=" in tag or 'type="application/json"' in tag


@pytest.mark.django_db
def test_security_headers_on_pages(client):
    response = client.get(reverse("home"))
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
