"""Every page fits a phone and a desktop, for every kind of person.

The pages are not a hand-picked list: each person's visit starts from every
route of the URL resolver that takes no arguments, plus the links that reach
people by email, and follows every link on every page it opens (one page per
route). Each page is checked at 375 px (nothing wider than the screen, the
navigation folded into one line, no serious axe-core violation) and at 1280 px
(nothing wider, tabs and header links on one line), and saved as a screenshot
at both widths under artifacts/layout/.
"""

import re
from urllib.parse import parse_qsl, urljoin, urlsplit

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.urls.exceptions import Resolver404
from playwright.sync_api import Error as PlaywrightError

from .axe import AXE, serious_violations
from .layout_data import PASSWORD, PERSONAS, seed

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE, DESKTOP = 375, 1280
PER_ROUTE = 2
OUTSIDE = ("/admin/", "/api/", "/static/", "/_bench/", "/_errors/")

# Routes that are not pages: actions a form posts to, files, redirects.
NOT_PAGES = {
    "transparency_checkpoint": "plain text for tools: a signed checkpoint",
    "transparency_checkpoint_at": "plain text for tools: a signed checkpoint",
    "transparency_cosignatures": "POST from a witness (tests/audit/test_witness.py)",
    "privacy_evidence_receipt": "a JSON file to download (tests/audit/test_receipt_verify.py)",
    "consent_receipt_kantara": "a JSON or JWS file to download (tests/consent/test_kantara_receipt.py)",
    "dev_mailbox_message": "DEBUG-only local tool (tests/icentrex/test_dev_tools.py); not served here",
    "dev_webhook_receive": "DEBUG-only webhook receiver: POST from the worker, not a page",
    "language_switch": "POST: changes the language",
    "cookie_choices": "POST: records cookie choices",
    "account_logout": "signs out (GET asks first, but a visit here would end the session)",
    "mfa_download_recovery_codes": "a text file",
    "staff_policy_publish": "POST",
    "staff_minor_report_suspend": "POST",
    "staff_minor_report_delete": "POST",
    "staff_minor_report_dismiss": "POST",
    "staff_privacy_question_close": "POST",
    "staff_privacy_question_reopen": "POST",
    "staff_case_assign": "POST",
    "staff_case_status": "POST",
    "staff_case_note": "POST",
    "staff_provider_rotate_secret": "POST",
    "staff_tracker_dismiss": "POST",
    "staff_subject_request_identity": "POST",
    "staff_subject_request_extend": "POST",
    "staff_subject_request_close": "POST",
    "staff_subject_request_classify": "POST (the form is on the question and case pages)",
    "staff_record_edition": "a JSON file to download (tests/registers/test_records.py)",
    "staff_evidence_pack_download": "a ZIP file to download (tests/data_requests/test_evidence_pack.py)",
    "org_subprocessor_object": "POST (the form is on the console's sub-processor page)",
    "policy_accept": "POST",
    "policy_updates_acknowledge": "POST",
    "privacy_disclosures_acknowledge": "POST",
    "privacy_export_request": "POST",
    "privacy_delete_confirm": "POST",
    "privacy_delete_cancel": "POST",
    "privacy_token_create": "POST",
    "privacy_token_revoke": "POST",
    "leave_organization": "POST",
    "org_sign_in": "POST",
    "org_sign_out": "POST",
    "org_member_role": "POST",
    "org_member_remove": "POST",
    "org_transfer_ownership": "POST",
    "org_invitation_revoke": "POST",
    "org_team_member": "POST",
    "org_domain_verify": "POST",
    "org_domain_revoke": "POST",
    "org_disclosure_dry_run": "POST (the result page is checked in test_accessibility)",
    "org_integration_remove": "POST",
    "org_shared_case_reply": "POST",
    "account_confirm_login_code": "only after a login code was sent (login by code is off)",
    "mfa_authenticate": "only in the middle of a sign-in with two factors",
    "account_reset_password_from_key_done": "redirect target after a reset",
}
# Pages with arguments, and who reaches them (by a link on a page, or by email).
DETAIL_PAGES = {
    "anonymous": {
        "policy", "policy_version", "policy_diff", "account_confirm_email", "account_reset_password_from_key",
    },
    "end_user": {
        "consent_receipt", "privacy_case", "privacy_integration_add", "privacy_integration_remove",
        "invitation_detail", "privacy_export_download",
    },
    "member": {"org_teams", "org_team", "org_policy", "org_integrations", "org_integration"},
    "owner": {
        "org_members", "org_member_review", "org_invitations", "org_teams", "org_team", "org_policy",
        "org_integrations", "org_integration", "org_integration_add", "org_exports", "org_export_download",
        "org_domains", "org_disclosures", "org_shared_cases", "org_shared_case", "org_audit", "privacy_case",
        "org_record", "org_subprocessors",
    },
    "support": {"staff_minor_report", "staff_privacy_question", "staff_case", "staff_case_share"},
    "privacy_officer": {
        "staff_policy_drafts", "staff_policy_draft", "staff_policy_notices", "staff_provider",
        "staff_provider_create", "staff_tracker_declare", "staff_subject_request",
        "staff_processor_record",
    },
}  # fmt: skip


def _routes(patterns=None, prefix="", namespace="", has_args=False):
    """(route name, takes arguments) for every route of the resolver."""
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        args = has_args or bool(pattern.pattern.regex.groups)
        if isinstance(pattern, URLResolver):
            ns = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _routes(pattern.url_patterns, prefix + str(pattern.pattern), ns, args)
        elif (
            isinstance(pattern, URLPattern)
            and pattern.name
            and not (prefix + str(pattern.pattern)).startswith(tuple(p.lstrip("/") for p in OUTSIDE))
        ):
            yield namespace + pattern.name, args


def _route_of(path: str) -> str | None:
    try:
        return resolve(urlsplit(path).path).view_name
    except Resolver404:
        return None


def test_every_route_is_checked_or_said_why_not():
    """A new page with arguments must be reachable by someone here (or be listed as not a page)."""
    detail = set().union(*DETAIL_PAGES.values())
    unaccounted = [name for name, has_args in _routes() if has_args and name not in detail | set(NOT_PAGES)]
    assert unaccounted == [], "add these to DETAIL_PAGES (and seed their data) or NOT_PAGES: " + ", ".join(
        unaccounted
    )


# Measured in the page: how wide it is, which navigation rows wrap, how tall the folded menus are.
MEASURE = """() => {
  const rows = {};
  for (const sel of ['.tabs .section-menu > ul > li', '.site-menu > .nav > li']) {
    // A new line starts where an item begins below the bottom of the line so far
    // (items of one line are centred, so their offsetTop differs by a few px).
    const items = [...document.querySelectorAll(sel)].filter(e => e.offsetParent);
    let lines = 0, bottom = -Infinity;
    for (const e of items) {
      const top = e.offsetTop, end = e.offsetTop + e.offsetHeight;
      if (top >= bottom - 1) { lines += 1; bottom = end; } else { bottom = Math.max(bottom, end); }
    }
    if (items.length) rows[sel] = lines;
  }
  const tabs = [...document.querySelectorAll('.tabs .section-menu > ul')].filter(e => e.offsetParent);
  const menus = [...document.querySelectorAll('.menu')].filter(e => !e.open && e.offsetParent);
  return {
    width: document.documentElement.scrollWidth,
    rows,
    tabsClipped: tabs.some(e => e.scrollWidth > e.clientWidth + 1),
    menuHeights: menus.map(e => Math.round(e.getBoundingClientRect().height)),
    headerHeight: Math.round(document.querySelector('.site-header').getBoundingClientRect().height),
    sectionNavHeights: [...document.querySelectorAll('.centre-nav, nav.tabs')].map(
      e => Math.round(e.getBoundingClientRect().height)),
  };
}"""


def _shot(page, persona: str, path: str, width: int, screenshot):
    name = re.sub(r"[0-9a-f]{8}-[0-9a-f-]{27}|/\d+(?=/)", "/x", urlsplit(path).path)
    name = re.sub(r"[^A-Za-z0-9]+", "-", name).strip("-")
    screenshot(page, f"layout/{persona}-{width}-{name or 'home'}")


@pytest.mark.parametrize("persona", list(PERSONAS))
def test_every_page_fits_a_phone_and_a_desktop(persona, page, live_server, screenshot):
    if not AXE.exists():
        pytest.skip("axe-core is not installed (bin/test installs it with npm)")
    from tests.conftest import ARTIFACTS

    (ARTIFACTS / "layout").mkdir(parents=True, exist_ok=True)
    emailed = seed()[persona]
    email = PERSONAS[persona]
    if email:
        page.goto(live_server.url + "/accounts/login/")
        page.get_by_label("Email").fill(email)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign In").click()
        page.wait_for_load_state()
        assert "/accounts/login/" not in page.url, email

    start = [reverse(name) for name, has_args in _routes() if not has_args and name not in NOT_PAGES]
    # Error pages are checked where people meet them: a link that no longer works, a mistyped address.
    error_pages = set(emailed) | ({"/no-such-page/"} if persona == "anonymous" else set())
    queue = start + sorted(error_pages)
    seen_paths, per_key, visited_routes, linked, problems = set(), {}, set(), set(), []
    while queue:
        path = queue.pop(0)
        route = _route_of(path)
        if path.startswith(OUTSIDE) or route in NOT_PAGES:
            continue
        query = parse_qsl(urlsplit(path).query)
        if any(key == "format" for key, _ in query):
            continue  # CSV exports of a page already checked
        # Up to two pages per route and set of query keys: different documents,
        # people or teams, without walking every row of every list.
        key = (route or path, tuple(sorted({k for k, _ in query} - {"page"})))
        if path in seen_paths or per_key.get(key, 0) >= PER_ROUTE:
            continue
        seen_paths.add(path)
        per_key[key] = per_key.get(key, 0) + 1
        page.set_viewport_size({"width": PHONE, "height": 800})
        try:
            response = page.goto(live_server.url + path)
        except PlaywrightError as error:
            if "Download is starting" in str(error):
                continue
            raise
        if response is None or "text/html" not in (response.headers.get("content-type") or ""):
            continue
        if response.status != 200 and path not in error_pages | linked:
            continue  # a route of someone else's (403) or an action (405), typed in: not reached by a link
        final = urlsplit(page.url).path
        if final != urlsplit(path).path:
            if final in seen_paths:
                continue  # a redirect to a page already checked
            seen_paths.add(final)
        visited_routes.add(_route_of(final))

        phone = page.evaluate(MEASURE)
        if phone["width"] > PHONE:
            problems.append(f"{final} is {phone['width']} px wide at {PHONE} px")
        # The header is one row; a section's navigation is its title and one line, so the
        # first screen shows the page itself.
        if any(height > 64 for height in phone["menuHeights"]):
            problems.append(f"{final}: a folded menu is {phone['menuHeights']} px tall at {PHONE} px")
        if phone["headerHeight"] > 80:
            problems.append(f"{final}: the header is {phone['headerHeight']} px tall at {PHONE} px")
        if any(height > 140 for height in phone["sectionNavHeights"]):
            problems.append(f"{final}: the section navigation is {phone['sectionNavHeights']} px tall")
        _shot(page, persona, final, PHONE, screenshot)
        for violation in serious_violations(page):
            problems.append(f"{final} at {PHONE} px: {violation}")

        page.set_viewport_size({"width": DESKTOP, "height": 800})
        desktop = page.evaluate(MEASURE)
        if desktop["width"] > DESKTOP:
            problems.append(f"{final} is {desktop['width']} px wide at {DESKTOP} px")
        for selector, rows in desktop["rows"].items():
            if rows != 1:
                problems.append(f"{final}: {selector} on {rows} lines at {DESKTOP} px")
        if desktop["tabsClipped"]:
            problems.append(f"{final}: the tabs do not all show at {DESKTOP} px")
        _shot(page, persona, final, DESKTOP, screenshot)

        for href in page.eval_on_selector_all("a[href]", "links => links.map(a => a.getAttribute('href'))"):
            target = urlsplit(urljoin(live_server.url + final, href))
            if f"{target.scheme}://{target.netloc}" == live_server.url and target.path:
                linked.add(target.path + (f"?{target.query}" if target.query else ""))
                queue.append(target.path + (f"?{target.query}" if target.query else ""))

    missing = DETAIL_PAGES[persona] - visited_routes
    if missing:
        problems.append(f"{persona} never reached {sorted(missing)} (seed its data or a link to it)")
    assert problems == [], "\n".join(problems)
