"""iCentrex's real cookies: the declaration seeded by migration 0002."""

CATEGORIES = [
    (
        "necessary",
        "Strictly necessary",
        True,
        0,
        "Needed for the service to work and to keep it secure. They are always on and cannot be refused.",
    ),
    (
        "preferences",
        "Preferences",
        False,
        1,
        "Remember choices you make about how iCentrex looks and behaves on this device, without tying them "
        "to your account.",
    ),
    (
        "analytics",
        "Analytics",
        False,
        2,
        "Help us understand how people use iCentrex so we can improve it. We use Google Analytics, which you "
        "can opt out of here at any time.",
    ),
    (
        "marketing",
        "Marketing",
        False,
        3,
        "Measure whether our campaigns reach people. iCentrex sets no marketing cookies at present; if that "
        "changes you will be asked first.",
    ),
]

# category, name, provider, first party, domain, lifetime in days (None: session), purpose, tied to account
COOKIES = [
    (
        "necessary",
        "sessionid",
        "iCentrex",
        True,
        "privacy.icentrex.example",
        14,
        "Keeps you signed in and remembers which organisations you are signed in to. It ends when you "
        "close the browser, unless you tick \u201cKeep me signed in\u201d, when it lasts 14 days.",
        True,
    ),
    (
        "necessary",
        "csrftoken",
        "iCentrex",
        True,
        "privacy.icentrex.example",
        365,
        "Protects forms against being submitted by other websites.",
        False,
    ),
    (
        "necessary",
        "icx_consent",
        "iCentrex",
        True,
        "privacy.icentrex.example",
        180,
        "Remembers your cookie choices on this device and an identifier for them, so we can show you "
        "what you agreed to.",
        False,
    ),
    (
        "necessary",
        "django_language",
        "iCentrex",
        True,
        "privacy.icentrex.example",
        None,
        "Remembers the language you picked with the language switch.",
        False,
    ),
    (
        "analytics",
        "_ga",
        "Google (Google Analytics)",
        False,
        "icentrex.example",
        730,
        "Distinguishes visitors, so Google Analytics can count how many people use iCentrex.",
        False,
    ),
    (
        "analytics",
        "_ga_*",
        "Google (Google Analytics)",
        False,
        "icentrex.example",
        730,
        "Keeps the state of a visit for Google Analytics.",
        False,
    ),
]


def seed_declaration(category_model, cookie_model, revision_model) -> None:
    """Create the categories, cookies and first revision (the migration passes
    its historical models; tests pass the real ones after a database flush)."""
    from .declaration import declaration_content, declaration_hash

    categories = {}
    for key, name, necessary, position, description in CATEGORIES:
        categories[key] = category_model.objects.create(
            key=key, name=name, is_necessary=necessary, position=position, description=description
        )
    for key, name, provider, first_party, domain, days, purpose, tied in COOKIES:
        cookie_model.objects.create(
            category=categories[key],
            name=name,
            provider=provider,
            first_party=first_party,
            domain=domain,
            lifetime_days=days,
            purpose=purpose,
            tied_to_account=tied,
        )
    content = declaration_content(category_model)
    revision_model.objects.create(content=content, content_hash=declaration_hash(content))


def ensure_declaration() -> None:
    from .models import Cookie, CookieCategory, DeclarationRevision

    if not DeclarationRevision.objects.exists():
        seed_declaration(CookieCategory, Cookie, DeclarationRevision)
