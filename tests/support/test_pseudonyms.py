"""Stable pseudonyms (issue 21, item 3): within a case and every share of it,
the same person or value has the same numbered tag; tags carry nothing derived
from the value; the case keeps only keyed fingerprints; staff see who each tag
stands for on the review screen, the organisation's admins never."""

import pytest
from django.urls import reverse

from organizations.models import Membership, Organization
from support import services
from support.models import CasePseudonym, CaseShare
from tests.factories import UserFactory
from tests.support.test_case_sharing import admin_client

pytestmark = pytest.mark.django_db

SUBJECT = "ALICE ANDERSSON: export for alice@example.org"
BODY = (
    "Hi, Alice here (alice@example.org, or ALICE@EXAMPLE.ORG, 070-123 45 67, +46 70 123 45 67).\n"
    "Bob Berg says Bob's export works; ask bob@example.org. Carl Cederlund wrote too.\n"
    "Mail carl@example.net or billing@example.net. Signed, Alice\nAndersson"
)


@pytest.fixture
def acme(alice, bob):
    organization = Organization.objects.create(name="Acme", slug="acme")
    Membership.objects.create(organization=organization, user=alice, role="member")
    Membership.objects.create(organization=organization, user=bob, role="admin")
    Membership.objects.create(organization=organization, user=UserFactory(name="Carl Cederlund"))
    return organization


@pytest.fixture
def case(alice, acme):
    return services.case_open(actor=alice, subject=SUBJECT, body=BODY, organization=acme)


def test_the_same_person_or_value_gets_the_same_tag_in_both_fields(agent, case):
    version = services.case_masked_version(actor=agent, case=case)
    assert version["masked"]["subject"] == "[name 1]: export for [email 1]"
    assert version["masked"]["body"] == (
        "Hi, [name 1] here ([email 1], or [email 1], [phone 1], [phone 1]).\n"
        "[name 2] says [name 2]'s export works; ask [email 2]. [name 3] wrote too.\n"
        "Mail [email 3] or [email 4]. Signed, [name 1]"
    )
    who = {row["tag"]: row["values"] for row in version["pseudonyms"]}
    assert who["[name 1]"] == ["ALICE ANDERSSON", "Alice", "Alice Andersson"]
    assert who["[name 2]"] == ["Bob", "Bob Berg"] and who["[phone 1]"] == [
        "+46 70 123 45 67",
        "070-123 45 67",
    ]
    assert list(who) == [f"[email {n}]" for n in (1, 2, 3, 4)] + [
        "[name 1]",
        "[name 2]",
        "[name 3]",
        "[phone 1]",
    ]


def test_later_shares_keep_the_tags_and_never_reuse_a_number(agent, case):
    first = services.case_share(actor=agent, case=case, extra=[("export works", "name")])
    # Numbered in the order of appearance: the phrase masked by hand comes before Carl.
    assert "[name 2]'s [name 3]; ask [email 2]. [name 4] wrote too." in first.masked_body
    # The second share masks a different phrase by hand and leaves the first as written.
    second = services.case_share(actor=agent, case=case, extra=[("wrote too", "name")])
    assert "[name 2]'s export works; ask [email 2]. [name 4] [name 5]." in second.masked_body
    assert "[name 3]" not in second.masked_body
    # Everyone else keeps their tag.
    for tag in ("[name 1]", "[name 2]", "[name 4]", "[email 4]", "[phone 1]"):
        assert tag in first.masked_body and tag in second.masked_body
    assert CasePseudonym.objects.filter(case=case).count() == 10


def test_tags_are_kept_as_fingerprints_keyed_to_the_case(agent, case, alice, acme):
    services.case_share(actor=agent, case=case)
    rows = list(CasePseudonym.objects.filter(case=case).values("kind", "number", "fingerprint"))
    stored = repr(rows).casefold()
    for value in ("alice", "andersson", "example.org", "070-123", "+46 70", "bob"):
        assert value not in stored
    # The same text in another case: the same tags, fingerprints that match nothing of the first.
    other = services.case_open(actor=alice, subject=SUBJECT, body=BODY, organization=acme)
    services.case_share(actor=agent, case=other)
    assert CaseShare.objects.get(case=other).masked_body == CaseShare.objects.get(case=case).masked_body
    mine = {row["fingerprint"] for row in rows}
    assert mine.isdisjoint(CasePseudonym.objects.filter(case=other).values_list("fingerprint", flat=True))


def test_staff_see_who_is_who_and_admins_never(agent, case, sign_in, bob):
    staff = sign_in(agent)
    page = staff.post(
        reverse("staff_case_share", args=[case.pk]), {"action": "preview", "kind": "name"}
    ).content.decode()
    assert 'id="pseudonyms"' in page and "Who is who" in page
    assert "<code>[name 2]</code></td><td>Bob · Bob Berg</td>" in page
    staff.post(reverse("staff_case_share", args=[case.pk]), {"action": "share", "kind": "name"})
    share = CaseShare.objects.get()

    html = admin_client(bob).get(reverse("org_shared_case", args=["acme", share.public_id])).content.decode()
    assert "[name 2]" in html and "Who is who" not in html and "Bob Berg" not in html.split("<main")[1]


def test_erasing_the_reporter_deletes_the_fingerprints(agent, case, alice):
    from support.services.erasure import person_erase_support_data

    services.case_share(actor=agent, case=case)
    counts = person_erase_support_data(
        user=alice, addresses=[alice.email], placeholder="erased@example.invalid"
    )
    assert counts["case_pseudonyms_deleted"] == 8 and not CasePseudonym.objects.exists()


def test_the_reporters_later_messages_are_shared_with_the_same_tags(agent, case, alice, bob, sign_in):
    services.case_reply_by_reporter(actor=alice, case=case, body="Bob Berg again. Call me on 0701234567.")
    first = services.case_share(actor=agent, case=case)
    assert [reply["body"] for reply in first.masked_replies] == ["[name 2] again. Call me on [phone 1]."]
    # A later message, and a later share: the same people keep their tags, a new one gets the next.
    services.case_reply_by_reporter(
        actor=alice, case=case, body="Dana Dahl (dana@example.net) saw it, Bob too."
    )
    second = services.case_share(actor=agent, case=case)
    assert [reply["body"] for reply in second.masked_replies] == [
        "[name 2] again. Call me on [phone 1].",
        "Dana Dahl ([email 5]) saw it, [name 2] too.",
    ]
    assert second.masked_body == first.masked_body

    staff = sign_in(agent)
    review = staff.get(reverse("staff_case_share", args=[case.pk])).content.decode()
    assert "in the reporter&#x27;s reply 2" in review and "The reporter's reply 2" in review
    html = admin_client(bob).get(reverse("org_shared_case", args=["acme", second.public_id])).content.decode()
    assert "[name 2] again. Call me on [phone 1]." in html and "0701234567" not in html


def test_the_api_share_returns_the_masked_replies(agent, case, alice):
    from rest_framework.test import APIClient

    services.case_reply_by_reporter(actor=alice, case=case, body="Ask Bob Berg.")
    api = APIClient()
    api.force_authenticate(agent)
    preview = api.post(f"/api/v1/support/cases/{case.public_id}/mask-preview").json()
    assert preview["masked_replies"] == ["Ask [name 2]."]
    bob_in_reply = next(d for d in preview["detections"] if d["field"] == "reply-1")
    assert bob_in_reply["tag"] == "[name 2]"
    # A reply the case does not have is refused like any unknown detection; nothing is shared.
    forged = {"unmask": [{"field": "reply-7", "start": 0, "end": 3}]}
    assert api.post(f"/api/v1/support/cases/{case.public_id}/share", forged, format="json").status_code == 400
    created = api.post(f"/api/v1/support/cases/{case.public_id}/share", {}, format="json")
    assert created.status_code == 201 and created.json()["masked_replies"][0]["body"] == "Ask [name 2]."
    assert CaseShare.objects.count() == 1
