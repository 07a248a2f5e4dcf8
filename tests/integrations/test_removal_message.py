"""After removing an integration the message says what really happened to the
notice the provider gets (a webhook delivered in the background): on its
way, delivered, or failed; never "it has been told" before it was."""

import pytest
from django.urls import reverse

from integrations import selectors
from integrations.models import WebhookDelivery
from integrations.services import installation_create

from .helpers import provider, signed_in

pytestmark = pytest.mark.django_db


def test_right_after_removing_the_message_says_the_provider_is_being_told(
    alice, django_capture_on_commit_callbacks
):
    installation = installation_create(user=alice, provider=provider("calendar-sync"), fields=["identity.id"])
    client = signed_in(alice)
    with django_capture_on_commit_callbacks():  # the delivery is enqueued, not yet made
        response = client.post(
            reverse("privacy_integration_remove", args=[installation.public_id]), follow=True
        )
    html = response.content.decode()
    assert (
        "Calendar Sync was removed and nothing more is shared with it. We are telling Calendar Sync now."
        in html
    )
    assert "it has been told" not in html
    assert WebhookDelivery.objects.get(kind="installation.removed").status == "pending"


@pytest.mark.parametrize(
    "status, says",
    [
        ("pending", "We are telling Calendar Sync now."),
        ("delivering", "We are telling Calendar Sync now."),
        ("delivered", "Nothing more is shared with it, and it has been told."),
        ("failed", "We could not reach it to say so."),
    ],
)
def test_the_message_follows_the_delivery_state(alice, django_capture_on_commit_callbacks, status, says):
    from integrations.services import installation_remove

    installation = installation_create(user=alice, provider=provider("calendar-sync"), fields=["identity.id"])
    with django_capture_on_commit_callbacks():
        installation_remove(user=alice, installation=installation)
    WebhookDelivery.objects.filter(kind="installation.removed").update(status=status)
    assert says in selectors.removal_told(installation=installation)
