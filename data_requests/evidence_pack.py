"""An evidence pack: for one person, everything that proves what happened to
their data, in one ZIP a regulator or the person's lawyer can check without
trusting our database.

- ``your-data/``: the person's copy of their data, exactly as they can export
  it (``personal_export``);
- ``proofs/<stream>.jsonl``: for every evidence row about them in every logged
  stream (consent records, sharing events, disclosures, policy notices, the
  audit trail), the receipt the privacy centre hands out — its hashed
  content, its hash and, once in a checkpoint, the inclusion proof and the
  signed checkpoint;
- ``verification/``: the keys that sign the checkpoints and
  ``icentrex-verify.py``, which checks a receipt with nothing of ours but a key;
- ``pack.json`` and ``README.txt``: who asked, why, when, and what is inside.
"""

import json
from pathlib import Path
from zipfile import ZIP_DEFLATED, ZipFile

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.template.loader import render_to_string
from django.utils import timezone, translation

from accounts.staff_roles import staff_role_of
from audit.streams import logged_streams
from audit.transparency import log_evidence_receipt, log_verifiers
from consent.models import ConsentLink
from subjects.services import subject_key_for_user

from .personal_export import write_export_into

VERIFIER = Path(settings.BASE_DIR) / "bin" / "icentrex-verify.py"


def _subject_keys(user) -> list:
    """The person's key and the visitor keys of their linked devices (whose
    consent records are theirs too)."""
    key = subject_key_for_user(user=user)
    devices = ConsentLink.objects.filter(account_subject_key=key).values_list("visitor_key", flat=True)
    return [key, *devices]


def _proofs(archive: ZipFile, keys: list) -> dict:
    found = {}
    for stream in logged_streams():
        source = stream.log
        rows = source.rows().filter(**{f"{source.owner_field}__in": keys}).iterator(chunk_size=500)
        receipts = in_checkpoint = 0
        with archive.open(f"proofs/{stream.name}.jsonl", "w", force_zip64=True) as out:
            for row in rows:
                receipt = log_evidence_receipt(stream.name, source, row)
                out.write((json.dumps(receipt, ensure_ascii=False, cls=DjangoJSONEncoder) + "\n").encode())
                receipts += 1
                in_checkpoint += receipt["sealed"]
        found[stream.name] = {"receipts": receipts, "in_a_checkpoint": in_checkpoint}
    return found


def write_pack(*, pack, path) -> dict:
    """Write the pack to ``path``; returns what it holds (counts)."""
    user = pack.user
    with ZipFile(path, "w", compression=ZIP_DEFLATED, compresslevel=6) as archive:
        copy = write_export_into(archive, user=user, on_progress=lambda kind, rows: None, folder="your-data/")
        proofs = _proofs(archive, _subject_keys(user))
        archive.writestr("verification/keys.txt", "".join(f"{key}\n" for key in log_verifiers()))
        archive.writestr("verification/icentrex-verify.py", VERIFIER.read_text())
        about = {
            "pack": str(pack.public_id),
            "person": user.email,
            "reason": pack.reason,
            "requested_by_role": staff_role_of(pack.requested_by) if pack.requested_by else "",
            "subject_request": str(pack.subject_request.public_id) if pack.subject_request else None,
            "generated_at": timezone.now().isoformat(),
            "site": settings.SITE_URL,
            "proofs": proofs,
        }
        archive.writestr("pack.json", json.dumps(about, ensure_ascii=False, indent=2, cls=DjangoJSONEncoder))
        with translation.override(settings.LANGUAGE_CODE):
            archive.writestr(
                "README.txt",
                render_to_string("data_requests/evidence_pack_readme.txt", {**about, "copy": copy}),
            )
    return {"proofs": proofs, "copy": {kind: sum(c.values()) for kind, c in copy.items()}}
