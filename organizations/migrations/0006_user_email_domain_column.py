"""PostgreSQL only: ``accounts_user.email_domain``, the address's domain in
normal form when PostgreSQL can compute it exactly (plain ASCII: lower case,
one trailing dot dropped), else NULL. A stored generated column, so it can
never disagree with ``email``; the disclosure job joins on it instead of
parsing a million addresses on every run, and sends the NULL ones (Unicode,
punycode, odd spellings: a partial index finds them) through Python's
``normalize_domain``. Not a model field: the ORM never reads or writes it.

The pattern is organizations.disclosures.ASCII_DOMAIN_RE as of this
migration (copied, so the migration stays what it was): it admits exactly the
spellings for which that cheap normal form equals ``normalize_domain``."""

from django.db import migrations

ASCII_DOMAIN_RE = (
    r"^(?:(?=[a-z0-9-]{1,63}\.)[a-z0-9]+(?:-[a-z0-9]+)*\.)+"
    r"(?=[a-z0-9-]{1,63}\.?$)[a-z0-9]+(?:-[a-z0-9]+)*\.?$"
)
_DOMAIN = "lower(split_part(email, '@', -1))"


def add(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    pattern = ASCII_DOMAIN_RE.replace("'", "''")
    schema_editor.execute(
        "ALTER TABLE accounts_user ADD COLUMN email_domain varchar(254) GENERATED ALWAYS AS ("
        f"CASE WHEN strpos(email, '@') > 0 AND length({_DOMAIN}) <= 254 AND {_DOMAIN} ~ '{pattern}' "
        f"THEN rtrim({_DOMAIN}, '.') END) STORED",
        params=None,
    )
    schema_editor.execute(
        "CREATE INDEX accounts_user_no_email_domain ON accounts_user (id) WHERE email_domain IS NULL",
        params=None,
    )


def remove(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE accounts_user DROP COLUMN IF EXISTS email_domain", params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("organizations", "0005_email_disclosures"),
    ]

    operations = [migrations.RunPython(add, remove, elidable=False)]
