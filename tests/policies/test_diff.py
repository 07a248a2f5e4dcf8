"""What changed between two versions: rendered, only the changed blocks with
context, and a list of the changes linking to each."""

import re

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from policies import selectors, services
from policies.diff import split_blocks
from policies.models import PolicyDocument
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

LONG = "\n\n".join(
    f"## Topic {i}\n\nParagraph {i} explains one more thing we do with **your data**, in plain words, "
    f"so that people can follow it.\nIt has a second sentence about topic {i} as well.\n\n"
    f"- first point of {i}\n- second point of {i}"
    for i in range(1, 41)
)


@pytest.fixture
def officer(db):
    user = UserFactory(email="po@icentrex.example", is_staff=True)
    user.groups.add(Group.objects.get_or_create(name="privacy_officer")[0])
    return user


@pytest.fixture
def privacy():
    return PolicyDocument.objects.get(slug="privacy")


def publish(officer, document, body, **extra):
    return services.policy_draft_create(
        actor=officer,
        document=document,
        body=body,
        summary=extra.get("summary", ""),
        effective_at=timezone.now(),
        material=False,
        publish=True,
    )


def main(html: str) -> str:
    return html[html.index("<main") : html.index("</main>")]


def ten_lines_changed(body: str) -> str:
    """Ten lines changed in three places of a 40-section document."""
    body = body.replace("## Topic 7\n", "## Topic 7: retention\n")
    body = body.replace("Paragraph 7 explains one more thing", "Paragraph 7 now explains two more things")
    body = body.replace("- second point of 7", "- second point of 7, reworded\n- a third point of 7")
    backups = "\n".join(f"Backup line {n} says what we copy and why." for n in range(6))
    body = body.replace("## Topic 31\n", f"## Backups\n\n{backups}\n\n## Topic 31\n")
    return body.replace("topic 39 as", "topic 39 too, as")


def test_a_ten_line_change_in_a_long_document_shows_only_the_changes_with_context(client, officer, privacy):
    old = publish(officer, privacy, LONG)
    new = publish(officer, privacy, ten_lines_changed(LONG), summary="Retention and backups.")
    response = client.get(reverse("policy_diff", args=["privacy"]), {"from": old.number, "to": new.number})
    assert response.status_code == 200
    html = response.content.decode()

    # Rendered, not raw Markdown.
    assert "<strong>your data</strong>" in html
    assert "## " not in html and "**" not in html
    # Only the changed blocks and one block of context either side: the page
    # holds a handful of blocks, not the 160 of the document.
    blocks = re.findall(r'class="diff-block diff-(\w+)"', html)
    assert 6 <= len(blocks) <= 20, blocks
    assert "Paragraph 20 explains" not in html and "first point of 3<" not in html
    assert {"same", "changed", "added"} <= set(blocks)
    # Changed words are marked inside their block, not as a whole new paragraph.
    assert "<del>one</del>" in html and "<ins>two</ins>" in html
    assert "Topic 7<ins>: retention</ins>" in html
    # The jump list: one link per change, each to its section on the page.
    index = html[html.index('class="card diff-index"') : html.index("</nav>", html.index("diff-index"))]
    links = re.findall(r'<a href="#(change-\d+)">([^<]+)</a>', index)
    assert [label for _anchor, label in links] == ["Topic 7: retention", "Backups", "Topic 39"]
    for anchor, _label in links:
        assert f'id="{anchor}"' in html
    # A short page: far less than the whole document.
    whole = client.get(reverse("policy_version", args=["privacy", new.number])).content.decode()
    assert len(main(html)) < len(main(whole)) / 3


def test_the_changes_are_sanitised(client, officer, privacy):
    old = selectors.version_in_force(document=privacy)
    evil = old.body.replace(
        "## Children",
        "## Children <img src=x onerror=alert(1)>\n\n<script>alert(2)</script> [click](javascript:alert(3))",
    )
    new = publish(officer, privacy, evil)
    html = main(
        client.get(
            reverse("policy_diff", args=["privacy"]), {"from": old.number, "to": new.number}
        ).content.decode()
    )
    for bad in ["<script", "javascript:", "onerror", "<img"]:
        assert bad not in html
    assert "click" in html  # the link text stays, without its target


def test_bad_version_numbers_are_not_found(client):
    assert client.get(reverse("policy_diff", args=["privacy"]), {"from": 1, "to": 9}).status_code == 404
    assert client.get(reverse("policy_diff", args=["privacy"]), {"from": "x"}).status_code == 404


def test_identical_texts_have_no_changes():
    assert selectors.version_changes(old_body=LONG, new_body=LONG).unchanged


def test_a_bulleted_list_is_compared_item_by_item():
    assert split_blocks("Intro\n\n- one\n- two\n  more\n- three\n\n1. a\n2. b") == [
        "Intro",
        "- one",
        "- two\n  more",
        "- three",
        "1. a\n2. b",
    ]
    changes = selectors.version_changes(
        old_body="- one\n- two\n- three", new_body="- one\n- two\n- 3\n- four"
    )
    kinds = [block.kind for block in changes.changes[0].blocks]
    assert kinds == ["same", "removed", "added", "added"]


def test_staff_see_what_a_draft_changes_before_publishing(client, officer, privacy):
    in_force = selectors.version_in_force(document=privacy)
    draft = services.policy_draft_create(
        actor=officer,
        document=privacy,
        body=in_force.body.replace("under 13", "under 16"),
        summary="",
        effective_at=timezone.now(),
        material=True,
    )
    client.force_login(officer)
    html = client.get(reverse("staff_policy_draft", args=["privacy", draft.pk])).content.decode()
    assert "under <del>13</del><ins>16</ins>." in html
    assert '<a href="#change-1">Children</a>' in html
