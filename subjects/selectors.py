import uuid
from typing import Any

from .models import SubjectLink


def subject_keys_to_users(*, subject_keys: set[uuid.UUID]) -> dict[uuid.UUID, Any]:
    """Resolve many subject keys to users in one query (erased subjects are absent)."""
    links = SubjectLink.objects.filter(subject_key__in=subject_keys).select_related("user")
    return {link.subject_key: link.user for link in links}
