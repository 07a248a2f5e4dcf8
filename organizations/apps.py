from django.apps import AppConfig


class OrganisationsConfig(AppConfig):
    name = "organizations"
    verbose_name = "Organisations"

    def ready(self):
        from . import receivers  # noqa: F401  (organisations signed in to, per session)

        self._register_audit_labels()

    @staticmethod
    def _register_audit_labels():
        # Audit details show the role and policy labels people know, not the stored codes.
        from django.utils.translation import gettext_lazy as _

        from audit.display import register_labels

        from .models import DataPolicy
        from .roles import OrgRole, TeamRole
        from .services import DATA_POLICY_FIELDS

        register_labels(key="role", label=_("role"), choices=[*TeamRole.choices, *OrgRole.choices])
        register_labels(key="team", label=_("Team"))
        for field in DATA_POLICY_FIELDS:
            choices = DataPolicy.Who.choices if field.endswith("_allowed_for") else ()
            register_labels(key=field, label=DataPolicy._meta.get_field(field).verbose_name, choices=choices)
