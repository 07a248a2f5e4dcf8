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

# What each category means to an opt-out preference signal and to Google Consent Mode
# (cookies 0003 set these on existing declarations): category -> (gpc_opt_out, consent_mode).
SIGNALS = {
    "necessary": ("", ["security_storage"]),
    "preferences": ("", ["functionality_storage", "personalization_storage"]),
    "analytics": ("", ["analytics_storage"]),
    "marketing": ("cross_context_advertising", ["ad_storage", "ad_user_data", "ad_personalization"]),
}

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
        "icx-consent",
        "iCentrex",
        True,
        "other iCentrex sites (local storage)",
        None,
        "On other iCentrex sites that show our cookie banner: your cookie choices and an identifier for "
        "them, kept in the browser's local storage until you clear it.",
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


# The third-party hosts each category's scripts load from: category, host, provider, purpose.
HOSTS = [
    (
        "analytics",
        "www.googletagmanager.com",
        "Google (Google Analytics)",
        "Serves the Google Analytics script, loaded only after you agree to analytics.",
    ),
    (
        "analytics",
        "www.google-analytics.com",
        "Google (Google Analytics)",
        "Receives the visit measurements Google Analytics sends, only after you agree to analytics.",
    ),
]


# The declaration's texts in Swedish (cookies 0005 adds them to existing declarations):
# categories by key (name, description), cookies by name and hosts by host (purpose).
SWEDISH = {
    "categories": {
        "necessary": (
            "Nödvändiga",
            "Behövs för att tjänsten ska fungera och vara säker. De är alltid på och kan inte väljas bort.",
        ),
        "preferences": (
            "Inställningar",
            "Kommer ihåg val du gör om hur iCentrex ser ut och fungerar på den här enheten, utan att knyta "
            "dem till ditt konto.",
        ),
        "analytics": (
            "Statistik",
            "Hjälper oss att förstå hur iCentrex används så att vi kan förbättra tjänsten. Vi använder "
            "Google Analytics, som du kan välja bort här när som helst.",
        ),
        "marketing": (
            "Marknadsföring",
            "Mäter om våra kampanjer når fram. iCentrex sätter inga marknadsföringscookies i dag; om det "
            "ändras frågar vi dig först.",
        ),
    },
    "cookies": {
        "sessionid": "Håller dig inloggad och kommer ihåg vilka organisationer du är inloggad i. Den "
        "försvinner när du stänger webbläsaren, utom om du kryssar i ”Håll mig inloggad”: då varar den i "
        "14 dagar.",
        "csrftoken": "Skyddar formulär mot att skickas in av andra webbplatser.",
        "icx_consent": "Kommer ihåg dina cookieval på den här enheten och en identifierare för dem, så att "
        "vi kan visa vad du gick med på.",
        "icx-consent": "På andra iCentrex-webbplatser som visar vår cookiebanner: dina cookieval och en "
        "identifierare för dem, sparade i webbläsarens lokala lagring tills du rensar den.",
        "django_language": "Kommer ihåg språket du valde med språkväljaren.",
        "_ga": "Skiljer besökare åt så att Google Analytics kan räkna hur många som använder iCentrex.",
        "_ga_*": "Håller reda på ett besök åt Google Analytics.",
    },
    "hosts": {
        "www.googletagmanager.com": "Levererar Google Analytics-skriptet, som laddas först när du godkänt "
        "statistik.",
        "www.google-analytics.com": "Tar emot mätningarna som Google Analytics skickar, först när du "
        "godkänt statistik.",
    },
}


def swedish_category(key: str) -> dict:
    if key not in SWEDISH["categories"]:
        return {}
    name, description = SWEDISH["categories"][key]
    return {"sv": {"name": name, "description": description}}


def swedish_purpose(kind: str, name: str) -> dict:
    purpose = SWEDISH[kind].get(name)
    return {"sv": {"purpose": purpose}} if purpose else {}


def seed_translations(category_model, cookie_model, host_model) -> None:
    """Give the seeded texts their Swedish, where they have none yet."""
    for category in category_model.objects.filter(translations={}):
        category.translations = swedish_category(category.key)
        category.save(update_fields=["translations"])
    for cookie in cookie_model.objects.filter(translations={}):
        cookie.translations = swedish_purpose("cookies", cookie.name)
        cookie.save(update_fields=["translations"])
    for host in host_model.objects.filter(translations={}):
        host.translations = swedish_purpose("hosts", host.host)
        host.save(update_fields=["translations"])


def seed_hosts(category_model, host_model) -> None:
    categories = {category.key: category for category in category_model.objects.all()}
    for key, host, provider, purpose in HOSTS:
        if key in categories:
            host_model.objects.get_or_create(
                host=host, defaults={"category": categories[key], "provider": provider, "purpose": purpose}
            )


def seed_declaration(category_model, cookie_model, revision_model, host_model=None) -> None:
    """Create the categories, cookies and first revision (the migration passes
    its historical models; tests pass the real ones after a database flush)."""
    from .declaration import declaration_content, declaration_hash

    model_fields = {field.name for field in category_model._meta.get_fields()}
    categories = {}
    for key, name, necessary, position, description in CATEGORIES:
        gpc_opt_out, consent_mode = SIGNALS[key]
        signals = {"gpc_opt_out": gpc_opt_out, "consent_mode": consent_mode}
        categories[key] = category_model.objects.create(
            key=key,
            name=name,
            is_necessary=necessary,
            position=position,
            description=description,
            **{field: value for field, value in signals.items() if field in model_fields},
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
    if host_model is not None:
        seed_hosts(category_model, host_model)
    if "translations" in model_fields:
        seed_translations(category_model, cookie_model, host_model)
    content = declaration_content(category_model)
    revision_model.objects.create(content=content, content_hash=declaration_hash(content))


def publish_if_changed(category_model, revision_model) -> None:
    """A data migration's new revision, when the declaration as it now stands
    differs from every published one (historical models; no audit event, as
    the first revision's seeding has none)."""
    from .declaration import declaration_content, declaration_hash

    content = declaration_content(category_model)
    digest = declaration_hash(content)
    if not revision_model.objects.filter(content_hash=digest).exists():
        revision_model.objects.create(content=content, content_hash=digest)


def ensure_declaration() -> None:
    from .models import Cookie, CookieCategory, DeclarationRevision, DeclaredHost

    if not DeclarationRevision.objects.exists():
        seed_declaration(CookieCategory, Cookie, DeclarationRevision, DeclaredHost)
