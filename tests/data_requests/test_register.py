"""The register of personal data is complete: every model that relates to a
person has a declaration, and the declarations agree with what the export
job writes."""

import pytest
from django.apps import apps
from django.conf import settings
from django.db import models

from core.register import (
    EXPORT_KINDS,
    THIRD_PARTY,
    Deleted,
    Exported,
    NotExported,
    PersonalData,
    Pseudonymised,
    declarations,
)
from data_requests.personal_export import WRITERS

User = apps.get_model(settings.AUTH_USER_MODEL)
Membership = apps.get_model("organizations", "Membership")
# A pseudonymous subject key is a relation to a person too (through subjects.SubjectLink).
_SUBJECT_KEY_NAMES = ("subject_key", "_subject", "visitor_key")


def _owned_by_one_person(model) -> bool:
    """Rows that belong to one person: a required relation to the account that
    goes with it (a membership, a support case, a sign-in address)."""
    return any(
        f.many_to_one or f.one_to_one
        for f in model._meta.concrete_fields
        if f.is_relation
        and f.related_model is User
        and not f.null
        and f.remote_field.on_delete is models.CASCADE
    )


def _personal_reasons(model) -> list[str]:
    reasons = []
    for field in model._meta.get_fields():
        if not field.concrete and not field.many_to_many:
            continue
        if field.is_relation and field.related_model is not None and not field.auto_created:
            target = field.related_model
            if target is User:
                reasons.append(f"{field.name} -> the user")
            elif target is Membership or _owned_by_one_person(target):
                reasons.append(f"{field.name} -> {target._meta.label} (a person's)")
        elif isinstance(field, models.UUIDField) and field.name.endswith(_SUBJECT_KEY_NAMES):
            reasons.append(f"{field.name} (a subject key)")
        elif isinstance(field, models.EmailField):
            reasons.append(f"{field.name} (an email address)")
    return reasons


def test_every_model_related_to_a_person_declares_its_personal_data():
    declared = {model for model, _d in declarations()}
    missing = {
        model._meta.label_lower: _personal_reasons(model)
        for model in apps.get_models(include_auto_created=True)
        if _personal_reasons(model) and model not in declared
    }
    assert not missing, f"Declare personal_data on these models (core/register.py): {missing}"


def test_the_detector_is_not_blind():
    """The rule above flags what it must (else the test could never fail)."""
    for label in (
        "organizations.membership",
        "organizations.teammembership",  # through a membership
        "support.casemessage",  # through a support case
        "consent.consentrecord",  # a subject key
        "support.privacyquestion",  # an email address
        "account.emailconfirmation",  # through a sign-in address
    ):
        assert _personal_reasons(apps.get_model(label)), label
    assert not _personal_reasons(apps.get_model("cookies", "CookieCategory"))


@pytest.mark.parametrize(
    ("model", "declaration"),
    [pytest.param(m, d, id=m._meta.label_lower) for m, d in declarations()],
)
def test_each_declaration_is_whole(model, declaration):
    assert isinstance(declaration, PersonalData)
    assert declaration.person and str(declaration.retention)
    assert isinstance(declaration.export, Exported | NotExported)
    if isinstance(declaration.export, Exported):
        assert declaration.export.kind in EXPORT_KINDS and str(declaration.export.how)
    else:
        assert str(declaration.export.why)
    assert isinstance(declaration.erasure, Deleted | Pseudonymised)
    assert str(declaration.erasure.how)
    if isinstance(declaration.erasure, Pseudonymised):
        assert str(declaration.erasure.legal_reason), "keeping personal data needs a legal reason"


def test_third_party_declarations_name_real_models():
    for label in THIRD_PARTY:
        assert apps.get_model(label)


def test_every_export_kind_is_written_and_declared():
    assert list(WRITERS) == list(EXPORT_KINDS)
    kinds_declared = {d.export.kind for _m, d in declarations() if isinstance(d.export, Exported)}
    assert kinds_declared == set(EXPORT_KINDS)
