import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from accounts.models import User
from icentrex.settings.base import _mailer_from_url

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
def test_no_model_change_is_missing_a_migration():
    call_command("makemigrations", "--check", "--dry-run", stdout=StringIO())


def test_code_passes_the_linter():
    ruff = Path(sys.executable).parent / "ruff"
    for args in (["check", "."], ["format", "--check", "."]):
        result = subprocess.run([str(ruff), *args], cwd=ROOT, capture_output=True, text=True)
        assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.django_db
def test_seed_demo_is_idempotent_and_prints_the_sign_ins():
    out = StringIO()
    call_command("seed_demo", stdout=out)
    call_command("seed_demo", stdout=StringIO())
    assert User.objects.count() == 7
    assert "owner@acme.example" in out.getvalue() and "demo-privacy-2026" in out.getvalue()
    staff = User.objects.get(email="privacy@icentrex.example")
    assert staff.is_staff and staff.groups.filter(name="privacy_officer").exists()
    assert User.objects.get(email="member@acme.example").check_password("demo-privacy-2026")
    from organizations.models import Membership

    acme_roles = dict(Membership.objects.filter(organization__slug="acme").values_list("user__email", "role"))
    assert sorted(acme_roles.values()) == ["admin", "guest", "member", "owner"]
    assert Membership.objects.get(organization__slug="acme", role="owner").is_primary_owner
    assert Membership.objects.filter(organization__slug="globex").count() == 2


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("consolemail://", {"BACKEND": "django.core.mail.backends.console.EmailBackend"}),
        (
            "smtp://127.0.0.1:1025",
            {"host": "127.0.0.1", "port": 1025, "use_tls": False, "use_ssl": False, "username": ""},
        ),
        ("smtp+tls://u:p@mail.example:587", {"host": "mail.example", "port": 587, "use_tls": True}),
    ],
)
def test_email_url_becomes_a_mailer(url, expected):
    mailer = _mailer_from_url(url)
    flat = {**mailer, **mailer.get("OPTIONS", {})}
    assert {key: flat[key] for key in expected} == expected
