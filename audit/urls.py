from django.urls import path

from . import views

urlpatterns = [
    path(".well-known/icentrex-transparency.json", views.well_known, name="transparency_well_known"),
    path("transparency/keys", views.verifier_keys, name="transparency_keys"),
    path(".well-known/jwks.json", views.jwks, name="jwks"),
    path(
        "privacy/evidence/<slug:stream>/<str:record>/receipt.json",
        views.evidence_receipt,
        name="privacy_evidence_receipt",
    ),
    path("transparency/icentrex-verify.py", views.verifier_script, name="transparency_verifier"),
    path("transparency/<slug:stream>/checkpoint", views.checkpoint_latest, name="transparency_checkpoint"),
    path("transparency/<slug:stream>/cosignatures", views.cosignature_add, name="transparency_cosignatures"),
    path(
        "transparency/<slug:stream>/checkpoint/<int:size>",
        views.checkpoint_at,
        name="transparency_checkpoint_at",
    ),
]
