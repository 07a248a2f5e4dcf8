from allauth.account.adapter import DefaultAccountAdapter
from django.shortcuts import resolve_url
from django.utils import timezone

from .selectors import is_support_staff


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

    def get_login_redirect_url(self, request):
        """Staff (support agents, privacy officers) work in the staff console, so
        that is where they land; everyone else lands in their privacy centre.
        allauth asks this only when the sign-in carried no ``next``."""
        if is_support_staff(request.user):
            return resolve_url("staff_home")
        return super().get_login_redirect_url(request)
