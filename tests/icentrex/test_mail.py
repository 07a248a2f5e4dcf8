"""Plain-text emails carry names as people wrote them: a subject or body is not
HTML, so ``'``, ``<`` and ``&`` must not arrive as ``&#x27;``, ``&lt;``, ``&amp;``
(core.mail renders every email template without autoescaping)."""

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.utils import timezone

from core.mail import render_subject, send_templated_email
from domains.models import DisclosureDigest
from domains.tasks import disclosure_digest_email
from organizations import services as org_services
from organizations.roles import OrgRole
from organizations.tasks import invitation_send
from support import services as support_services
from support import tasks as support_tasks
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ORG = "O'Brien & <Partners>"
PERSON = "Zoë O'Neil <Admin> & Co"
ESCAPES = ("&#x27;", "&#39;", "&lt;", "&gt;", "&amp;", "&quot;")


def assert_plain(text: str):
    assert not any(escape in text for escape in ESCAPES), text


@pytest.fixture
def tricky_acme(acme, admin):
    acme.name = ORG
    acme.save(update_fields=["name"])
    admin.user.name = PERSON
    admin.user.save(update_fields=["name"])
    return acme


def test_an_invitation_names_the_organisation_and_the_inviter_as_written(tricky_acme, admin, mailoutbox):
    invitation = org_services.invitation_create(actor=admin, email="new@example.org", role=OrgRole.MEMBER)
    assert invitation_send(invitation.pk) == "sent"
    message = mailoutbox[0]
    assert message.subject == f"You are invited to join {ORG} on iCentrex"
    assert f"{PERSON} has invited you to join {ORG} on iCentrex as a member." in message.body
    assert_plain(message.subject)
    assert_plain(message.body)


def test_a_disclosure_digest_names_the_organisation_as_written(tricky_acme, owner, admin, mailoutbox):
    digest = DisclosureDigest.objects.create(
        organization=tricky_acme, after_seq=0, up_to_seq=3, disclosures=3, recipients=0
    )
    assert disclosure_digest_email(digest.pk) == "sent"
    assert len(mailoutbox) == 2
    for message in mailoutbox:
        assert message.subject == f"3 new disclosures for {ORG} on iCentrex"
        assert_plain(message.subject)
        assert_plain(message.body)


def test_a_support_reply_repeats_the_case_subject_as_written(mailoutbox):
    reporter = UserFactory(email="pat@example.org", name=PERSON)
    agent = UserFactory(email="agent@icentrex.example", is_staff=True)
    agent.groups.add(Group.objects.get_or_create(name="support")[0])
    subject = "Export says <none> & won't start"
    case = support_services.case_open(
        actor=reporter, subject=subject, body="Nothing happens.", organization=None
    )
    reply = support_services.case_reply_by_staff(actor=agent, case=case, body="Try 'Export' & wait <1 min>.")
    assert support_tasks.case_reply_send.apply(args=[reply.pk]).get() == "sent"
    message = mailoutbox[0]
    assert message.subject == f"Re: {subject} (your support case)"
    assert "Try 'Export' & wait <1 min>." in message.body
    assert_plain(message.subject)
    assert_plain(message.body)


def test_the_shared_helper_writes_subject_and_body_unescaped_in_swedish_too(tricky_acme):
    class Export:
        def get_format_display(self):
            return "CSV"

    send_templated_email(
        template="data_requests/email/organization_export_ready",
        context={
            "organization": tricky_acme,
            "export": Export(),
            "url": "https://x.example/d",
            "expires_at": timezone.now(),
        },
        to="owner@acme.example",
        language="sv",
    )
    message = mail.outbox[0]
    assert ORG in message.subject and ORG in message.body
    assert_plain(message.subject)
    assert_plain(message.body)


def test_a_subject_is_one_line_whatever_a_name_holds(tricky_acme):
    tricky_acme.name = "Evil\r\nBcc: victim@example.org"
    subject = render_subject(
        "organizations/email/invitation_subject.txt", {"invitation": _Invitation(tricky_acme)}
    )
    assert "\n" not in subject and "\r" not in subject


class _Invitation:
    def __init__(self, organization):
        self.organization = organization
