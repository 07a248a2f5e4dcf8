"""How the kinds of mask are named for people. The masks themselves say
``[email]``, ``[name]``...; the masking engine's rule names (``phonenumbers``,
``member-name``) are for the redaction report's evidence, not for reading."""

from django.utils.translation import gettext_lazy as _

KIND_LABELS = {
    "email": _("email address"),
    "phone": _("phone number"),
    "ip": _("IP address"),
    "url": _("link with a token"),
    "card": _("card number"),
    "iban": _("bank account (IBAN)"),
    "personnummer": _("personal identity number"),
    "name": _("name"),
    "username": _("username"),
}


def kind_label(kind: str) -> str:
    """The readable name of a kind; an unknown one (older evidence) as it is."""
    return str(KIND_LABELS.get(kind, kind))


def report_by_kind(report: list[dict]) -> list[dict]:
    """A redaction report (rows per kind and rule) summed per kind, readable names."""
    counts: dict[str, int] = {}
    for row in report:
        counts[row["kind"]] = counts.get(row["kind"], 0) + row["count"]
    return [{"kind": kind, "label": kind_label(kind), "count": n} for kind, n in sorted(counts.items())]
