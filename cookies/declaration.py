"""The declaration's canonical content and its hash. Pure functions over the
models (historical ones too, so the seeding migration uses the same code)."""

from audit.evidence import content_hash

# Fields (and hosts) added to categories after the first revision (cookies 0003): a
# historical model from before them (the seeding migration's) gives content without them.
_LATER_CATEGORY_FIELDS = ("gpc_opt_out", "consent_mode", "translations")


def declaration_content(category_model) -> dict:
    model_fields = {field.name for field in category_model._meta.get_fields()}
    later = [field for field in _LATER_CATEGORY_FIELDS if field in model_fields]
    with_hosts = "hosts" in model_fields
    cookie_fields = {
        f.name for f in category_model._meta.get_field("cookies").related_model._meta.get_fields()
    }
    cookie_translations = "translations" in cookie_fields
    host_translations = with_hosts and "translations" in {
        f.name for f in category_model._meta.get_field("hosts").related_model._meta.get_fields()
    }
    categories = []
    related = ("cookies", "hosts") if with_hosts else ("cookies",)
    for category in category_model.objects.order_by("position", "key").prefetch_related(*related):
        categories.append(
            {
                "key": category.key,
                "name": category.name,
                "description": category.description,
                "necessary": category.is_necessary,
                **{field: getattr(category, field) for field in later},
                "cookies": [
                    {
                        "name": cookie.name,
                        "provider": cookie.provider,
                        "first_party": cookie.first_party,
                        "domain": cookie.domain,
                        "lifetime_days": cookie.lifetime_days,
                        "purpose": cookie.purpose,
                        "tied_to_account": cookie.tied_to_account,
                        **({"translations": cookie.translations} if cookie_translations else {}),
                    }
                    for cookie in sorted(category.cookies.all(), key=lambda c: c.name)
                ],
                **(
                    {
                        "hosts": [
                            {
                                "host": host.host,
                                "provider": host.provider,
                                "purpose": host.purpose,
                                **({"translations": host.translations} if host_translations else {}),
                            }
                            for host in sorted(category.hosts.all(), key=lambda h: h.host)
                        ]
                    }
                    if with_hosts
                    else {}
                ),
            }
        )
    return {"categories": categories}


def declaration_hash(content: dict) -> str:
    return content_hash(content)


def categories_needing_reconsent(*, accepted: set[str], shown: dict, current: dict) -> set[str]:
    """Accepted categories whose cookies or purposes grew since the person was
    shown ``shown``: for those they must be asked again."""

    def offered(content):
        # Cookies by name and purpose; hosts by who runs them: a host of a provider the
        # category already named adds no recipient (nor a purpose: the cookies say those).
        return {
            c["key"]: {(cookie["name"], cookie["purpose"]) for cookie in c["cookies"]}
            | {("provider", item["provider"]) for item in (*c["cookies"], *c.get("hosts", ()))}
            for c in content["categories"]
        }

    before, now = offered(shown), offered(current)
    # Strictly necessary cookies need no consent, so a new one asks nobody again.
    necessary = {c["key"] for c in current["categories"] if c["necessary"]}
    return {key for key in accepted - necessary if key in now and not now[key] <= before.get(key, set())}


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


def gpc_categories(content: dict) -> set[str]:
    """The categories an opt-out preference signal refuses, as the revision
    declares them (revisions from before the declaration said so: none)."""
    return {c["key"] for c in content["categories"] if c.get("gpc_opt_out") and not c["necessary"]}


def consent_mode_types(content: dict, choices: dict | None) -> dict[str, str]:
    """Google Consent Mode v2 state for ``choices``: a type is granted when any
    category that covers it is on (strictly necessary ones always are)."""
    state = {}
    for category in content["categories"]:
        on = category["necessary"] or bool((choices or {}).get(category["key"]))
        for consent_type in category.get("consent_mode", ()):
            state[consent_type] = "granted" if on or state.get(consent_type) == "granted" else "denied"
    return state


def localized(content: dict, language: str) -> dict:
    """The content with each category's name and description and each cookie's
    and host's purpose in ``language`` where the revision has it (the default
    language's text otherwise). The translations stay in, as in the revision."""
    language = (language or "").split("-")[0].lower()

    def text(item: dict, fields: tuple[str, ...]) -> dict:
        translated = (item.get("translations") or {}).get(language) or {}
        return {**item, **{f: translated[f] for f in fields if translated.get(f)}}

    return {
        **content,
        "categories": [
            {
                **text(category, ("name", "description")),
                "cookies": [text(cookie, ("purpose",)) for cookie in category["cookies"]],
                **(
                    {"hosts": [text(host, ("purpose",)) for host in category["hosts"]]}
                    if "hosts" in category
                    else {}
                ),
            }
            for category in content["categories"]
        ],
    }
