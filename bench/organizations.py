"""Organisation benchmark: 10,000 members and 200 teams (issue 3).

Seeds the organisation with bulk inserts (timed), then times the members list
(a page of 50 with roles and team names) in-process through Django's test
client, i.e. server time without network, for the API and the console page,
across pages and filters. Also reports the query count per request, which the
tests pin (tests/organizations/test_api.py, test_console.py)."""

import random
import statistics
import time

MEMBERS = 10_000
TEAMS = 200
REQUESTS = 300


def seed() -> dict:
    from django.contrib.auth.hashers import make_password
    from django.db import transaction

    from accounts.models import User
    from organizations.models import Membership, Organization, Team, TeamMembership
    from organizations.roles import OrgRole, TeamRole

    rng = random.Random(42)
    started = time.perf_counter()
    with transaction.atomic():
        organization = Organization.objects.create(name="Big Corp AB", slug="bigcorp")
        password = make_password("bench-password-123")  # one hash for all: seeding, not hashing, is measured
        users = User.objects.bulk_create(
            [
                User(email=f"person{n:05d}@bigcorp.example", name=f"Person {n:05d}", password=password)
                for n in range(MEMBERS)
            ],
            batch_size=2000,
        )
        roles = [OrgRole.OWNER] + [
            rng.choices([OrgRole.ADMIN, OrgRole.MEMBER, OrgRole.GUEST], weights=[2, 90, 8])[0]
            for _ in range(MEMBERS - 1)
        ]
        memberships = Membership.objects.bulk_create(
            [
                Membership(organization=organization, user=user, role=role, is_primary_owner=(n == 0))
                for n, (user, role) in enumerate(zip(users, roles, strict=True))
            ],
            batch_size=2000,
        )
        teams = Team.objects.bulk_create(
            [
                Team(organization=organization, name=f"Team {n:03d}", slug=f"team-{n:03d}")
                for n in range(TEAMS)
            ]
        )
        team_memberships = [
            TeamMembership(
                team=team,
                membership=membership,
                role=TeamRole.TEAM_ADMIN if rng.random() < 0.05 else TeamRole.MEMBER,
            )
            for membership in memberships
            for team in rng.sample(teams, rng.randint(1, 3))
        ]
        TeamMembership.objects.bulk_create(team_memberships, batch_size=5000)
    return {
        "members": MEMBERS,
        "teams": TEAMS,
        "team_memberships": len(team_memberships),
        "seconds": round(time.perf_counter() - started, 2),
    }


def _time_requests(client, urls) -> dict:
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    timings, queries = [], set()
    for url in urls:
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(url)
            timings.append(time.perf_counter() - started)
        assert response.status_code == 200, (url, response.status_code)
        queries.add(len(captured.captured_queries))
        reset_queries()
    timings.sort()
    return {
        "requests": len(timings),
        "p50_ms": round(statistics.median(timings) * 1000, 1),
        "p95_ms": round(timings[int(len(timings) * 0.95)] * 1000, 1),
        "max_ms": round(timings[-1] * 1000, 1),
        "queries_per_request": sorted(queries),
    }


def members_list() -> dict:
    from django.test import Client

    from organizations.models import Membership, Team
    from organizations.sessions import SESSION_KEY

    owner = Membership.objects.select_related("user").get(organization__slug="bigcorp", is_primary_owner=True)
    team_ids = list(Team.objects.filter(organization__slug="bigcorp").values_list("pk", flat=True))
    rng = random.Random(7)
    client = Client(HTTP_HOST="localhost")
    client.force_login(owner.user)
    session = client.session
    session[SESSION_KEY] = {"bigcorp": "Big Corp AB"}
    session.save()

    def urls(base, page_param):
        out = []
        for i in range(REQUESTS):
            kind = i % 4
            if kind == 0:
                out.append(f"{base}?{page_param}={rng.randint(1, MEMBERS // 50)}")
            elif kind == 1:
                out.append(f"{base}?role=guest&{page_param}=1")
            elif kind == 2:
                out.append(f"{base}?team={rng.choice(team_ids)}")
            else:
                out.append(f"{base}?search=person0{rng.randint(0, 9)}")
        return out

    _time_requests(
        client, [f"/api/v1/orgs/bigcorp/members?page_size=50&page={n}" for n in range(1, 11)]
    )  # warm
    return {
        "api_members_page_of_50": _time_requests(
            client, [u + "&page_size=50" for u in urls("/api/v1/orgs/bigcorp/members", "page")]
        ),
        "console_members_page_of_50": _time_requests(client, urls("/orgs/bigcorp/members/", "page")),
    }
