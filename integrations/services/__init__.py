"""Installing and removing integrations, sharing data with providers, and
delivering it as signed webhooks. Every share writes its SharingEvents in the
transaction of the action that causes it; delivery happens after commit.

One module per concern; the service functions are re-exported here, so callers
import them from ``integrations.services``:

- ``register``: the provider register (staff)
- ``installations``: adding and removing integrations (consent to share)
- ``sharing``: what is shared, and the sharing log of service providers
- ``webhooks``: signed delivery, retries and the sweep
- ``erasure``: what erasure does to integrations
"""

from .erasure import person_erase_integration_data
from .installations import installation_create, installation_remove
from .register import PROVIDER_FIELDS, provider_create, provider_rotate_secret, provider_update
from .sharing import (
    processor_shares_record,
    share_profile_change,
    share_with_integration,
    share_with_team_newcomer,
)
from .subprocessors import (
    subprocessor_change_schedule,
    subprocessor_changes_apply,
    subprocessor_notices_plan,
    subprocessor_notices_send,
    subprocessor_objection_raise,
    subprocessor_subscribe_email,
    subprocessor_subscribe_organization,
    subprocessor_subscription_confirm,
    subprocessor_unsubscribe,
)
from .webhooks import webhook_deliver_once, webhook_signature, webhook_sweep

__all__ = [
    "PROVIDER_FIELDS",
    "installation_create",
    "installation_remove",
    "person_erase_integration_data",
    "processor_shares_record",
    "provider_create",
    "provider_rotate_secret",
    "provider_update",
    "share_profile_change",
    "share_with_team_newcomer",
    "subprocessor_change_schedule",
    "subprocessor_changes_apply",
    "subprocessor_notices_plan",
    "subprocessor_notices_send",
    "subprocessor_objection_raise",
    "subprocessor_subscribe_email",
    "subprocessor_subscribe_organization",
    "subprocessor_subscription_confirm",
    "subprocessor_unsubscribe",
    "share_with_integration",
    "webhook_deliver_once",
    "webhook_signature",
    "webhook_sweep",
]
