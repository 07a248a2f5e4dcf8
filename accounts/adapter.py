from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context
from django.contrib.sites.shortcuts import get_current_site
from django.shortcuts import resolve_url
from django.utils import timezone

from core.controller import controller
from core.tasks import enqueue_on_commit

from .staff_roles import StaffPermission, staff_has_permission
from .tasks import account_email_send


class AccountAdapter(DefaultAccountAdapter):
    def send_mail(self, template_prefix: str, email: str, context_: dict) -> None:
        """Rendered now (in the request's language, with its links), sent by a
        worker after the request commits. Inline sending made a sign-up with a
        taken address (one email) and a new one (account, then email) differ in
        time; and no request should wait for the mail server."""
        request = context.request
        message = self.render_mail(
            template_prefix,
            email,
            {
                "request": request,
                "email": email,
                "current_site": get_current_site(request),
                # Every email names the controller at its foot (account/email/base_message.txt).
                "controller": controller(),
                **context_,
            },
        )
        payload = {
            "subject": message.subject,
            "body": message.body,
            "from_email": message.from_email,
            "to": list(message.to),
            "headers": dict(message.extra_headers),
            "content_subtype": message.content_subtype,
            "alternatives": [[a[0], a[1]] for a in getattr(message, "alternatives", [])],
        }
        enqueue_on_commit(account_email_send, payload)

    def save_user(self, request, user, form, commit=True):
        user = super().save_user(request, user, form, commit=False)
        user.name = form.cleaned_data.get("name", "")
        # The form only validates when the age check passed; keep that fact and
        # its time, never the date of birth itself.
        user.age_check_passed_at = timezone.now()
        if commit:
            user.save()
        return user

    def get_login_redirect_url(self, request):
        """Staff (support agents, privacy officers) work in the staff console, so
        that is where they land; everyone else lands in their privacy centre.
        allauth asks this only when the sign-in carried no ``next``."""
        if staff_has_permission(request.user, StaffPermission.STAFF_CONSOLE_OPEN):
            return resolve_url("staff_home")
        return super().get_login_redirect_url(request)
