"""Stable pseudonyms for what is masked in a case (issue 21): the same person
or value gets the same numbered tag (``[name 1]``, ``[email 2]``) in everything
shared from the case, across its fields and later shares.

A tag is the kind and the order in which the case first showed that person or
value: it carries nothing derived from the value. What the case keeps to give
the same tag next time is a fingerprint keyed to the case (HMAC with the
server's secret over the case's public id and the value's key), never the
value; staff, who can read the case itself, see which value each tag stands
for on the review screen; the organisation's admins see only tags."""

from django.utils.crypto import salted_hmac

from .masking import Detection, Identity, value_key
from .models import CasePseudonym, SupportCase


def _fingerprint(case: SupportCase, kind: str, key: str) -> str:
    return salted_hmac(
        "support.case-pseudonym", f"{case.public_id}|{kind}|{key}", algorithm="sha256"
    ).hexdigest()


def case_tags(
    case: SupportCase,
    texts: dict[str, str],
    masks: dict[str, list[Detection]],
    *,
    reporter: Identity,
    member_names,
) -> tuple[dict[str, dict[Detection, str]], list[CasePseudonym]]:
    """The tag of every mask, by field (in the order the fields are given),
    and the pseudonyms not yet kept for the case (to save when it is shared).
    Reads only."""
    known = {row.fingerprint: row for row in CasePseudonym.objects.filter(case=case)}
    numbers: dict[str, int] = {}
    for row in known.values():
        numbers[row.kind] = max(numbers.get(row.kind, 0), row.number)
    new: list[CasePseudonym] = []
    tags: dict[str, dict[Detection, str]] = {}
    for field, text in texts.items():
        tags[field] = {}
        for detection in sorted(masks[field], key=lambda d: d.start):
            key = value_key(text, detection, reporter=reporter, member_names=member_names)
            fingerprint = _fingerprint(case, detection.kind, key)
            row = known.get(fingerprint)
            if row is None:
                numbers[detection.kind] = numbers.get(detection.kind, 0) + 1
                row = CasePseudonym(
                    case=case, kind=detection.kind, number=numbers[detection.kind], fingerprint=fingerprint
                )
                known[fingerprint] = row
                new.append(row)
            tags[field][detection] = f"[{row.kind} {row.number}]"
    return tags, new


def tag_values(texts: dict[str, str], masks: dict[str, list[Detection]], tags) -> list[dict]:
    """For staff: each tag with what it stands for, as written in the case."""
    values: dict[str, set[str]] = {}
    for field, text in texts.items():
        for detection in masks[field]:
            values.setdefault(tags[field][detection], set()).add(
                " ".join(text[detection.start : detection.end].split())
            )

    def order(tag: str):
        kind, number = tag.strip("[]").rsplit(" ", 1)
        return kind, int(number)

    return [{"tag": tag, "values": sorted(values[tag])} for tag in sorted(values, key=order)]
