import hashlib

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.register import Deleted, Exported, PersonalData


def normalize_email_address(email: str) -> str:
    # Whole-address lower case: no mail provider we serve treats local parts
    # case-sensitively, and one person must not get two accounts by casing.
    return (email or "").strip().lower()


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An email address is required")
        user = self.model(email=normalize_email_address(email), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)

    def get_by_natural_key(self, username):
        return self.get(email__iexact=normalize_email_address(username))


class User(AbstractBaseUser, PermissionsMixin):
    """A person with an iCentrex account; the email address is the login."""

    personal_data = PersonalData(
        activity="account",
        categories=("identity", "contact", "credentials"),
        person="the account itself",
        export=Exported(
            "profile",
            _(
                "Your address, name, language, when you joined and last signed in, and when you passed the "
                "age "
                "check (never a birth date)."
            ),
        ),
        erasure=Deleted(
            _(
                "Your name, address, language, password and sign-in dates are deleted. An empty, inactive "
                "row "
                "(deleted-<number>@deleted.invalid) keeps the account's number, so records that point at it "
                "keep their shape."
            )
        ),
        retention=_("Kept until you delete your account."),
    )

    email = models.EmailField(_("email address"), unique=True)
    name = models.CharField(_("name"), max_length=150, blank=True)
    language = models.CharField(
        _("language"),
        max_length=10,
        choices=settings.LANGUAGES,
        blank=True,
        help_text=_("Leave empty to follow your browser's language."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(_("staff status"), default=False)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)
    # The age gate keeps only that the check passed and when, never the birth date.
    age_check_passed_at = models.DateTimeField(_("age check passed"), null=True, blank=True)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.UniqueConstraint(Lower("email"), name="accounts_user_email_ci_unique"),
        ]

    def __str__(self):
        return self.email

    def clean(self):
        super().clean()
        self.email = normalize_email_address(self.email)

    def save(self, *args, **kwargs):
        self.email = normalize_email_address(self.email)
        super().save(*args, **kwargs)

    def get_full_name(self):
        return self.name or self.email

    def get_short_name(self):
        return self.name or self.email.split("@")[0]


class PersonalAccessTokenQuerySet(models.QuerySet):
    def active(self):
        now = timezone.now()
        return self.filter(revoked_at__isnull=True).filter(
            models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=now)
        )


class PersonalAccessToken(models.Model):
    """A personal API token for scripts and apps. Only a SHA-256 of the token is
    stored (the token has 256 bits of randomness, so a slow hash adds nothing);
    the clear token is shown once, at creation."""

    personal_data = PersonalData(
        activity="account",
        categories=("credentials",),
        person="user",
        export=Exported(
            "profile",
            _(
                "Each token's name, first characters and when it was created, last used, expires and was "
                "revoked; never the token."
            ),
        ),
        erasure=Deleted(_("Your API tokens are deleted.")),
        retention=_("Kept while the account exists."),
    )

    PREFIX = "icx_"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    # The first characters after the prefix, so people can tell their tokens apart.
    hint = models.CharField(max_length=12, editable=False)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = PersonalAccessTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "-created_at"], name="accounts_token_user_idx")]

    def __str__(self):
        return f"{self.name} ({self.PREFIX}{self.hint}…)"

    @staticmethod
    def hash_token(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > timezone.now())
