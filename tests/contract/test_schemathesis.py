"""A bounded, seeded schemathesis run over every API operation against the live server,
once with a member's token of one organisation and once with an owner's token of
another, with every built-in check plus ``tenant_isolation`` (schemathesis_hooks.py):
a 2xx on an organisation-scoped path replayed with the other organisation's slug or
object ids must be a 404.

The run's JUnit report is parsed: a server error or a failed check is a test failure,
unless it is in ALLOWED below (a check that is wrong for this API, with the reason)."""

import json
import os
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import httpx
import pytest

from data_requests.services import organization_export_request
from domains.services import domain_claim_create
from integrations.models import Provider
from integrations.services import installation_create
from organizations import services as org_services
from organizations.models import Team, TeamMembership
from organizations.roles import OrgRole, TeamRole

from . import world

pytestmark = pytest.mark.contract

ROOT = Path(__file__).resolve().parents[2]
SEED = 20261205
MAX_EXAMPLES = 3
PHASES = "examples,coverage,fuzzing"

ACCEPTANCE = "Schema-valid request rejected"  # positive_data_acceptance (ST202)
# (check title, "METHOD /path") -> why the check is wrong for this operation. Keep it short.
ALLOWED: dict[tuple[str, str], str] = {
    (
        ACCEPTANCE,
        "POST /api/v1/consent",
    ): "`visitor` is a signed token: a schema gives its type, not a signature",
    (ACCEPTANCE, "POST /api/v1/orgs/{org_slug}/domains"): "a domain name (labels, public suffix, webmail, "
    "look-alikes) is checked by rules no JSON Schema pattern states",
    (ACCEPTANCE, "GET /api/v1/orgs/{org_slug}/disclosures"): "the `domain` filter must be a domain name, "
    "by the same rules as a claim (above)",
    (ACCEPTANCE, "POST /api/v1/me/integrations"): "organisation fields need `organization`: a rule across "
    "two fields and the provider's declaration",
    (ACCEPTANCE, "POST /api/v1/support/cases/"): "`organization` must name one of your own "
    "organisations: a rule about the data, not the shape",
    (ACCEPTANCE, "POST /api/v1/orgs/{org_slug}/transfer-ownership"): "handing ownership to yourself, or "
    "to a member of a state that cannot own, is a rule about the data, not the shape",
}


def _tenant_objects(tenant: world.Tenant, provider: Provider) -> dict:
    """Real objects in an organisation, made through the services, and their ids by the
    path parameter that names them."""
    owner = tenant.owner.membership
    team = org_services.team_create(actor=owner, name="Engineering")
    TeamMembership.objects.create(team=team, membership=tenant.member.membership, role=TeamRole.MEMBER)
    spare_team = Team.objects.create(organization=tenant.organization, name="Spare", slug="spare")
    invitation = org_services.invitation_create(
        actor=owner, email=f"invitee@{tenant.organization.slug}.example", role=OrgRole.MEMBER
    )
    claim = domain_claim_create(actor=owner, domain=f"{tenant.organization.slug}.example")
    export = organization_export_request(actor=owner, format="json")
    installation = installation_create(
        user=owner.user, provider=provider, fields=provider.fields[:1], membership=owner, team=team
    )
    return {
        "team_id": [team.pk, spare_team.pk],
        "member_id": [tenant.owner.membership.pk, tenant.member.membership.pk],
        "invitation_id": [invitation.pk],
        "domain_id": [claim.pk],
        "/api/v1/orgs/{org_slug}/exports/{export_id}:export_id": [export.pk],
        "/api/v1/orgs/{org_slug}/integrations/{public_id}:public_id": [str(installation.public_id)],
        "token_id": [tenant.owner.token_id, tenant.member.token_id],
    }


def _context(caller: world.Persona, own: world.Tenant, other: world.Tenant, replay_log: Path) -> dict:
    own_ids = {**own.ids, "member_id": [m for m in own.ids["member_id"] if m != caller.membership.pk]}
    return {
        "own": {"slug": own.organization.slug, "token_id": caller.token_id, "ids": own_ids},
        "other": {"slug": other.organization.slug, "ids": other.ids},
        "replay_log": str(replay_log),
    }


def _start(live_server, schema: Path, caller: world.Persona, context: dict, out: Path) -> dict:
    junit = out / "junit.xml"
    env = {
        **os.environ,
        "SCHEMATHESIS_HOOKS": "tests.contract.schemathesis_hooks",
        "ICX_CONTRACT_CONTEXT": json.dumps(context),
        "PYTHONPATH": str(ROOT),
        "NO_COLOR": "1",
    }
    command = [
        str(Path(sys.executable).parent / "schemathesis"),
        "run",
        str(schema),
        "--url",
        live_server.url,
        "--header",
        f"Authorization: Bearer {caller.token}",
        "--checks",
        "all",
        "--seed",
        str(SEED),
        "--max-examples",
        str(MAX_EXAMPLES),
        "--phases",
        PHASES,
        "--workers",
        "1",
        "--no-shrink",
        # The API refuses NUL and unpaired surrogates in any JSON string by design (a documented
        # 400 parse_error), so strings are generated as text that UTF-8 can carry.
        "--generation-codec",
        "utf-8",
        "--generation-allow-x00",
        "false",
        "--generation-database",
        "none",
        "--request-timeout",
        "30",
        "--report",
        "junit",
        "--report-junit-path",
        str(junit),
        "--no-color",
    ]
    log = (out / "output.txt").open("w")
    # cwd: schemathesis keeps a .schemathesis cache in its working directory.
    process = subprocess.Popen(command, cwd=out, env=env, stdout=log, stderr=subprocess.STDOUT, text=True)
    return {"process": process, "log": log, "junit": junit, "out": out, "started": time.monotonic()}


def _wait(run: dict) -> dict:
    try:
        run["process"].wait(timeout=600)
    except subprocess.TimeoutExpired:
        run["process"].kill()
        run["process"].wait()
        raise
    finally:
        run["log"].close()
    run["elapsed"] = time.monotonic() - run["started"]
    run["stdout"] = (run["out"] / "output.txt").read_text()
    assert run["junit"].exists(), f"schemathesis wrote no report:\n{run['stdout'][-5000:]}"
    return run


def _failures(junit: Path) -> tuple[int, list[dict]]:
    """Operations in the report, and each failed check as {operation, message}."""
    tree = ET.parse(junit)
    cases = tree.getroot().iter("testcase")
    operations = 0
    failures = []
    for case in cases:
        operations += 1
        for element in [*case.findall("failure"), *case.findall("error")]:
            message = f"{element.get('message') or ''}\n{element.text or ''}"
            failures.append({"operation": case.get("name"), "message": message})
    return operations, failures


@pytest.mark.django_db(transaction=True)
def test_schemathesis_finds_no_server_error_and_no_failed_check(live_server, dns_server, tmp_path):
    acme = world.tenant("acme", "Acme AB")
    globex = world.tenant("globex", "Globex")
    provider = Provider.objects.filter(kind=Provider.Kind.INTEGRATION, active=True).exclude(fields=[]).first()
    for tenant in (acme, globex):
        tenant.ids = _tenant_objects(tenant, provider)

    runs = [("member of acme", acme.member, acme, globex), ("owner of globex", globex.owner, globex, acme)]
    # The schema as the app serves it, fetched once for both runs.
    schema = tmp_path / "schema.json"
    response = httpx.get(f"{live_server.url}/api/schema/?format=json", timeout=60)
    assert response.status_code == 200, response.text[:2000]
    schema.write_bytes(response.content)
    started = time.monotonic()
    # Both tokens at once: the live server is threaded and each run is mostly waiting on it.
    running = []
    for label, caller, own, other in runs:
        out = tmp_path / label.replace(" ", "-")
        out.mkdir()
        replay_log = out / "replays.ndjson"
        running.append(
            (
                label,
                replay_log,
                _start(live_server, schema, caller, _context(caller, own, other, replay_log), out),
            )
        )
    report = []
    problems = []
    for label, replay_log, run in running:
        result = _wait(run)
        operations, failures = _failures(result["junit"])
        replays = replay_log.read_text().splitlines() if replay_log.exists() else []
        report.append(
            f"{label}: {operations} operations, {_summary_line(result['stdout'])}, "
            f"{len(replays)} cross-tenant replays, {result['elapsed']:.0f} s"
        )
        for failure in failures:
            if not _allowed(failure):
                problems.append(f"[{label}] {failure['operation']}: {failure['message'][:1200]}")
        # The isolation check must have had something to check, or it proves nothing.
        assert replays, f"[{label}] no 2xx on an organisation path was replayed:\n{result['stdout'][-3000:]}"
        assert operations >= 80, f"[{label}] only {operations} operations ran:\n{result['stdout'][-3000:]}"
    report.append(f"both runs: {time.monotonic() - started:.0f} s")
    print("\n" + "\n".join(report))
    assert not problems, "\n\n".join(problems)


def _allowed(failure: dict) -> bool:
    return any(check in failure["message"] and where == failure["operation"] for check, where in ALLOWED)


def _summary_line(stdout: str) -> str:
    """schemathesis's own count of test cases (the line after "Test cases:")."""
    lines = stdout.splitlines()
    for index, line in enumerate(lines[:-1]):
        if line.strip() == "Test cases:":
            return lines[index + 1].strip()
    return "test cases: ?"
