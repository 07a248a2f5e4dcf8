"""The declaration's canonical content and its hash. Pure functions over the
models (historical ones too, so the seeding migration uses the same code)."""

from audit.evidence import content_hash


def declaration_content(category_model) -> dict:
    categories = []
    for category in category_model.objects.order_by("position", "key").prefetch_related("cookies"):
        categories.append(
            {
                "key": category.key,
                "name": category.name,
                "description": category.description,
                "necessary": category.is_necessary,
                "cookies": [
                    {
                        "name": cookie.name,
                        "provider": cookie.provider,
                        "first_party": cookie.first_party,
                        "domain": cookie.domain,
                        "lifetime_days": cookie.lifetime_days,
                        "purpose": cookie.purpose,
                        "tied_to_account": cookie.tied_to_account,
                    }
                    for cookie in sorted(category.cookies.all(), key=lambda c: c.name)
                ],
            }
        )
    return {"categories": categories}


def declaration_hash(content: dict) -> str:
    return content_hash(content)


def categories_needing_reconsent(*, accepted: set[str], shown: dict, current: dict) -> set[str]:
    """Accepted categories whose cookies or purposes grew since the person was
    shown ``shown``: for those they must be asked again."""

    def offered(content):
        return {
            c["key"]: {(cookie["name"], cookie["purpose"]) for cookie in c["cookies"]}
            for c in content["categories"]
        }

    before, now = offered(shown), offered(current)
    return {key for key in accepted if key in now and not now[key] <= before.get(key, set())}


def optional_uses(content: dict) -> list[dict]:
    """The optional categories that actually hold cookies, each with who sets
    them: what the banner may say it asks for (no category or provider the
    declaration lacks)."""
    uses = []
    for category in content["categories"]:
        if category["necessary"] or not category["cookies"]:
            continue
        providers = list(dict.fromkeys(cookie["provider"] for cookie in category["cookies"]))
        uses.append({"key": category["key"], "name": category["name"], "providers": providers})
    return uses
