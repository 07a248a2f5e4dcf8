from allauth.account.adapter import DefaultAccountAdapter
from django.utils import timezone

from icentrex.controller import controller


class AccountAdapter(DefaultAccountAdapter):
    def save_user(self, request, user, form, commit=True):
        user = super().save_user(request, user, form, commit=False)
        user.name = form.cleaned_data.get("name", "")
        # The form only validates when the age check passed; keep that fact and
        # its time, never the date of birth itself.
        user.age_check_passed_at = timezone.now()
        if commit:
            user.save()
        return user

    def send_mail(self, template_prefix, email, context):
        # Every email names the controller at its foot (account/email/base_message.txt),
        # also when it is sent outside a request.
        super().send_mail(template_prefix, email, {"controller": controller(), **context})
