"""Audit event details as people read them, shared by every page that shows
them (the account activity in the privacy centre, the organisation's audit
log in the console and its CSV).

An event's ``changes`` hold plain JSON: scalars, ``[old, new]`` pairs, lists
(the fields an integration was granted) and nested objects (a provider's
changed fields). Shown raw they read as Python (``['member', 'guest']``,
``False``) or, joined blindly, a string splits into its letters. Higher apps
register labels for the codes they store (a role, a policy choice), since this
app sits below them and cannot import them."""

from collections.abc import Iterable, Mapping

from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

# Keys whose value is a plain list, never an [old, new] pair, even with two items.
PLAIN_LIST_KEYS = {"fields"}

# Keys every app uses alike; an app registers its own (register_labels).
_key_labels: dict[str, object] = {
    "name": gettext_lazy("Name"),
    "email": gettext_lazy("Email"),
    "status": gettext_lazy("Status"),
    "language": gettext_lazy("Language"),
    "reason": gettext_lazy("Reason"),
}
_value_labels: dict[str, dict[str, object]] = {}


def register_labels(*, key: str, label=None, choices: Iterable[tuple[str, object]] = ()) -> None:
    """Give a stored key a readable (lazily translated) name and its coded
    values their labels, e.g. ``register_labels(key="role", choices=OrgRole.choices)``."""
    if label is not None:
        _key_labels[key] = label
    _value_labels.setdefault(key, {}).update(dict(choices))


def _is_pair(key: str, value) -> bool:
    if not isinstance(value, list) or len(value) != 2:
        return False
    if key not in PLAIN_LIST_KEYS:
        return True
    # A plain-list key changed from one list to another: [[…], […]].
    return any(item is None or isinstance(item, list) for item in value)


def _scalar(key: str, value) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, str):
        return str(_value_labels.get(key, {}).get(value, value))
    if isinstance(value, list):
        return ", ".join(_scalar(key, item) for item in value) if value else "—"
    if isinstance(value, Mapping):
        return "; ".join(f"{label}: {text}" for label, text in _items(value))
    return str(value)


def _value(key: str, value, *, personal: bool) -> str:
    if _is_pair(key, value):
        old, new = value
        if personal and old is None:  # an address or name added: there was no "before"
            return _scalar(key, new)
        return f"{_scalar(key, old)} → {_scalar(key, new)}"
    return _scalar(key, value)


def key_label(key: str) -> str:
    return str(capfirst(_key_labels.get(key) or key.replace("_", " ")))


def _items(changes: Mapping, *, personal: bool = False) -> list[tuple[str, str]]:
    items = []
    for key, value in changes.items():
        if isinstance(value, Mapping):
            # A nested object (a provider's changed fields) reads as its own details.
            items.extend(_items(value, personal=personal))
        else:
            items.append((key_label(key), _value(key, value, personal=personal)))
    return items


def audit_details(changes: Mapping | None, personal: Mapping | None = None) -> list[tuple[str, str]]:
    """(label, text) for each detail of an event: its recorded changes, then
    the personal values decrypted for it (None once the person is erased)."""
    return _items(changes or {}) + _items(personal or {}, personal=True)


def audit_details_text(changes: Mapping | None, personal: Mapping | None = None) -> str:
    """The same on one line (CSV)."""
    return "; ".join(f"{label}: {text}" for label, text in audit_details(changes, personal))
