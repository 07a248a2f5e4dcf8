from allauth.account.adapter import DefaultAccountAdapter
from django.utils import timezone


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
