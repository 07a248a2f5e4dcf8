"""Schemathesis hooks for tests/contract/test_schemathesis.py (loaded by the CLI through
SCHEMATHESIS_HOOKS; the test passes the tenants in ICX_CONTRACT_CONTEXT as JSON).

- ``map_case`` points the generated positive cases at real objects of the caller's own
  organisation (its slug, its teams, members, domains...), so operations answer 2xx
  instead of 404 and the response checks see real bodies.
- ``tenant_isolation`` is the object-level authorisation check schemathesis lacks for two
  tenants: every 2xx on an organisation-scoped path is replayed with the other
  organisation's slug, and with the other organisation's object ids under the caller's
  own slug; both must be 404 (the same answer as for a missing object)."""

import json
import os
import zlib
from urllib.parse import quote, urlsplit, urlunsplit

import requests
import schemathesis
from schemathesis.core.parameters import ParameterLocation

CONTEXT = json.loads(os.environ.get("ICX_CONTRACT_CONTEXT", "{}"))
OWN = CONTEXT.get("own", {})
OTHER = CONTEXT.get("other", {})
REPLAY_LOG = CONTEXT.get("replay_log")

# Operations whose success would end the run's access (the caller leaves its organisation)
# keep their generated, unknown slug: the generated-client scenario covers their success.
KEEP_GENERATED = {"/api/v1/orgs/{org_slug}/leave"}


def _ids(side: dict, path: str, name: str) -> list:
    return side.get("ids", {}).get(f"{path}:{name}") or side.get("ids", {}).get(name) or []


def _pick(value, choices: list):
    """A deterministic choice (the run is seeded; Python's str hash is not): about one
    generated value in three is kept, the rest become a real id."""
    digest = zlib.crc32(repr(value).encode())
    if not choices or digest % 3 == 0:
        return value
    return choices[digest % len(choices)]


@schemathesis.hook
def map_case(ctx, case):
    path = case.operation.path
    if not case.path_parameters or (case.meta and case.meta.is_negative_at(ParameterLocation.PATH)):
        return case
    params = dict(case.path_parameters)
    for name, value in params.items():
        if name == "org_slug":
            if path not in KEEP_GENERATED:
                params[name] = OWN["slug"]
            elif value == OWN["slug"]:  # the generator can hit the schema's own example value
                params[name] = f"not-{value}"
        elif name == "token_id":
            # Never the token this run authenticates with: revoking it would end the run.
            params[name] = _pick(value, _ids(OWN, path, name))
            if params[name] == OWN["token_id"]:
                params[name] = OWN["token_id"] + 1_000_000
        else:
            params[name] = _pick(value, _ids(OWN, path, name))
    case.path_parameters = params
    return case


def _url(response, path_template: str, params: dict) -> str:
    path = path_template
    for name, value in params.items():
        path = path.replace("{" + name + "}", quote(str(value), safe=""))
    parts = urlsplit(response.request.url)
    return urlunsplit((parts.scheme, parts.netloc, path, parts.query, ""))


def _replay(response, url: str) -> requests.Response:
    request = response.request.copy()
    request.url = url
    with requests.Session() as session:
        return session.send(request, timeout=30, allow_redirects=False)


def _log(entry: dict) -> None:
    if REPLAY_LOG:
        with open(REPLAY_LOG, "a") as log:
            log.write(json.dumps(entry) + "\n")


@schemathesis.check
def tenant_isolation(ctx, response, case):
    """A 2xx on /orgs/{own}/... must be a 404 for the other organisation's slug and for
    the other organisation's objects."""
    path = case.operation.path
    params = dict(case.path_parameters or {})
    if not (200 <= response.status_code < 300) or params.get("org_slug") != OWN.get("slug"):
        return None
    # The coverage phase also sends methods the operation does not have (OPTIONS answers with
    # the endpoint's description, never an object): only the operation's own method is replayed.
    if response.request.method.upper() != case.operation.method.upper():
        return None
    replays = [("slug", {**params, "org_slug": OTHER["slug"]})]
    foreign = {}
    for name, value in params.items():
        if name != "org_slug" and value in _ids(OWN, path, name) and _ids(OTHER, path, name):
            foreign[name] = _ids(OTHER, path, name)[0]
    if foreign:
        replays.append(("ids", {**params, **foreign}))
    for kind, swapped in replays:
        url = _url(response, path, swapped)
        replayed = _replay(response, url)
        _log({"method": case.method, "path": path, "kind": kind, "status": replayed.status_code})
        if replayed.status_code != 404:
            raise AssertionError(
                f"{case.method} {url} (the other organisation's {kind}) answered "
                f"{replayed.status_code}, expected 404 as for a missing object: {replayed.text[:300]}"
            )
    return None
