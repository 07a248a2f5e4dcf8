"""Shared set-up for the integrations interface tests (plain functions, so the
core's own tests keep tests/integrations/conftest.py to themselves)."""

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from integrations.models import Provider
from integrations.services import processor_shares_record
from organizations.sessions import SESSION_KEY
from subjects.services import subject_key_for_user


def provider(slug: str) -> Provider:
    return Provider.objects.get(slug=slug)


def signed_in(user, *org_slugs) -> Client:
    """A browser signed in to the account and to these organisations' consoles."""
    client = Client()
    client.force_login(user)
    if org_slugs:
        session = client.session
        session[SESSION_KEY] = {slug: slug for slug in org_slugs}
        session.save()
    return client


def emails_sent_about(user, count: int) -> int:
    """``count`` shares with the email vendor about ``user`` (as notice emails make)."""
    return processor_shares_record(
        provider_slug="mailstream",
        subject_keys=[subject_key_for_user(user=user)] * count,
        fields=["identity.email", "profile.language"],
        purpose="Delivers the emails iCentrex sends you.",
    )


def query_count(fn) -> int:
    with CaptureQueriesContext(connection) as queries:
        fn()
    return len(queries)
