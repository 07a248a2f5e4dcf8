"""The first published versions of iCentrex's policies (demo texts written for
this product, seeded by migration 0002)."""

PRIVACY = """\
## Who we are

iCentrex Sweden AB runs iCentrex, a place where teams talk, share files and plan work, in the browser and in
our desktop and mobile apps. This policy explains what we collect about you, why, who else sees it and what
you can decide.

## What we collect

- **Your account:** your name, email address and password (stored only as a hash).
- **What you share:** messages, files and other content you add to iCentrex.
- **How you use the service:** sign-ins, the device and browser family, and a shortened network address.
- **Cookies:** see our cookie policy. You choose which optional cookies we may use.

## Your organisation

If you use iCentrex through a workplace, that organisation has its own rules for how long content is kept,
who may see it and who may export it. Depending on those rules, owners or administrators may be able to see
content that is otherwise private to you. Your privacy centre shows each organisation's rules in plain words
and, where the organisation allows it, who looked at your data and why.

If you signed up with an address at a domain an organisation has verified as its own (never a free webmail
address), we may tell that organisation your address and your team names. Please only use a work address if
you are allowed to.

## Who else receives data

We use service providers for hosting, email, payments, security and marketing; they act on our instructions.
Integrations you add receive what their consent screen lists. If you contact support about something that
concerns your organisation, we may pass the matter on to its administrators, removing what identifies you
wherever we can.

## Children

iCentrex is not meant for children under 13. If you think a child has given us personal data, tell us and
we will act on it.

## Changes

We publish every change on this page. When a change is material, we ask you to accept it before you carry on.

## Contact

Questions about privacy are welcome: use the contact form or write to the address below.
"""

TERMS = """\
## Using iCentrex

Use iCentrex lawfully and respect the people you work with. You are responsible for what you share and for
keeping your password and recovery codes safe.

## Accounts for organisations

An organisation's owners decide who joins it and which roles people have. When you leave an organisation,
its content stays with the organisation.

## Changes

We announce changes to these terms on this page, and ask for your acceptance when they are material.
"""

COOKIES = """\
## Cookies

iCentrex uses a small number of cookies. Strictly necessary ones keep you signed in and protect forms; the
others — preferences and analytics — are only set when you allow them. The full list, with each cookie's
purpose and lifetime, is on the cookie policy page, and you can change your choices at any time under
"Cookie settings".

We do not act on the browser's Do Not Track signal. We do honour Global Privacy Control for marketing.
"""

DOCUMENTS = [
    ("privacy", "Privacy policy", 0, PRIVACY, "First published version."),
    ("cookies", "Cookie policy", 1, COOKIES, "First published version."),
    ("terms", "Terms of service", 2, TERMS, "First published version."),
]


def seed_documents(document_model, version_model) -> None:
    """Create the documents and their first published versions (the migration
    passes its historical models; tests pass the real ones after a flush)."""
    from datetime import UTC, datetime

    from .models import version_hash

    start = datetime(2026, 11, 1, tzinfo=UTC)
    for slug, title, position, body, summary in DOCUMENTS:
        document = document_model.objects.create(slug=slug, title=title, position=position)
        version_model.objects.create(
            document=document,
            number=1,
            body=body,
            summary=summary,
            effective_at=start,
            material=False,
            status="published",
            published_at=start,
            content_hash=version_hash(
                document=slug, number=1, body=body, summary=summary, effective_at=start, material=False
            ),
        )


def ensure_documents() -> None:
    from .models import PolicyDocument, PolicyVersion

    if not PolicyDocument.objects.exists():
        seed_documents(PolicyDocument, PolicyVersion)
