"""The privacy officer's registers (issue 20): the data-subject request queue
with 100,000 requests (page time p50/p95 and queries per page, across views,
filters and pages), then the yearly figures over 1,000,000 requests (each
year's page and CSV, PostgreSQL's PERCENTILE_CONT).

Requests are seeded with one INSERT ... SELECT from generate_series (timed
separately); pages are timed in-process through Django's test client, i.e.
server time without network, like the organisation benchmark."""

import random
import time

from bench.organizations import _time_requests

QUEUE_REQUESTS = 100_000
FIGURE_REQUESTS = 1_000_000


def seed(total: int, *, start_id: int = 0) -> dict:
    """``total`` requests received over the last three years: answered ones with
    their outcome and days, and open ones (those of the last two months) due
    around today, some overdue."""
    from django.db import connection

    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO data_requests_subjectrequest
                (public_id, kind, source, source_ref, user_id, contact_email, received_at, due_on,
                 extension_months, extension_reason, identity, outcome, outcome_note,
                 days_to_respond, closed_at, late_reason)
            SELECT gen_random_uuid(),
                   (ARRAY['access', 'rectification', 'erasure', 'restriction', 'objection',
                          'portability'])[1 + n %% 6],
                   (ARRAY['self_service', 'privacy_question', 'support_case', 'other'])[1 + n %% 4],
                   '', NULL, 'person' || n || '@example.org', received, (received + interval '1 month')::date,
                   0, '', 'verified',
                   CASE WHEN received > now() - interval '60 days' THEN 'open'
                        ELSE (ARRAY['complied','complied','complied','complied_in_part','denied','withdrawn'])
                             [1 + (n / 7) %% 6] END,
                   '',
                   CASE WHEN received > now() - interval '60 days' THEN NULL ELSE (n * 7919) %% 45 END,
                   CASE WHEN received > now() - interval '60 days' THEN NULL
                        ELSE received + ((n * 7919) %% 45) * interval '1 day' END,
                   ''
            FROM (
                SELECT n, now() - ((n * 104729) %% (3 * 365 * 24 * 60)) * interval '1 minute' AS received
                FROM generate_series(%s::bigint, %s::bigint) AS n
            ) AS requests
            """,
            [start_id + 1, start_id + total],
        )
        cursor.execute("ANALYZE data_requests_subjectrequest")
    return {"requests": total, "seconds": round(time.perf_counter() - started, 1)}


def _officer_client():
    from django.contrib.auth.models import Group
    from django.test import Client

    from accounts.models import User
    from accounts.staff_roles import StaffRole

    officer, _ = User.objects.get_or_create(email="officer@bench.example", defaults={"name": "Officer"})
    officer.groups.add(Group.objects.get_or_create(name=StaffRole.PRIVACY_OFFICER)[0])
    client = Client(HTTP_HOST="localhost")
    client.force_login(officer)
    return client


def queue_pages(client, *, requests: int = 300) -> dict:
    """Pages anywhere in the queue: the first page of each view and type, and
    pages deep in it (a cursor drawn from anywhere in the view, either way)."""
    from data_requests.models import SubjectRequest

    rng = random.Random(11)
    kinds = SubjectRequest.Kind.values
    views = ["open", "overdue", "due_week", "closed", "all"]
    open_ids = list(SubjectRequest.objects.filter(outcome="open").values_list("pk", flat=True))
    all_ids = list(SubjectRequest.objects.values_list("pk", flat=True))
    urls = []
    for i in range(requests):
        shape = i % 4
        direction = rng.choice(["after", "before"])
        if shape == 0:
            urls.append(f"/staff/requests/?view=open&{direction}={rng.choice(open_ids)}")
        elif shape == 1:
            urls.append(f"/staff/requests/?view={rng.choice(views)}")
        elif shape == 2:
            view, kind = rng.choice(views), rng.choice(kinds)
            ids = open_ids if view in ("open", "overdue", "due_week") else all_ids
            urls.append(f"/staff/requests/?view={view}&kind={kind}&{direction}={rng.choice(ids)}")
        else:
            urls.append(f"/staff/requests/?view=all&{direction}={rng.choice(all_ids)}")
    _time_requests(client, urls[:20])  # warm
    return _time_requests(client, urls)


def figures(client) -> dict:
    from data_requests.selectors import subject_request_figures, subject_request_years

    out = {}
    for year in subject_request_years():
        started = time.perf_counter()
        result = subject_request_figures(year=year)
        selector_s = time.perf_counter() - started
        started = time.perf_counter()
        page = client.get(f"/staff/requests/figures/?year={year}")
        page_s = time.perf_counter() - started
        assert page.status_code == 200
        started = time.perf_counter()
        csv = b"".join(client.get(f"/staff/requests/figures/?year={year}&format=csv").streaming_content)
        csv_s = time.perf_counter() - started
        assert csv.count(b"\n") == 8
        out[str(year)] = {
            "requests_in_year": result["total"]["received"],
            "selector_s": round(selector_s, 2),
            "page_s": round(page_s, 2),
            "csv_s": round(csv_s, 2),
            "median_days": result["total"]["median_days"],
            "p95_days": result["total"]["p95_days"],
        }
    return out


def run() -> dict:
    from data_requests.models import SubjectRequest

    client = _officer_client()
    report = {"queue_seed": seed(QUEUE_REQUESTS)}
    report["queue_100k"] = {
        "open_requests": SubjectRequest.objects.filter(outcome="open").count(),
        **queue_pages(client),
    }
    report["figures_seed"] = seed(FIGURE_REQUESTS - QUEUE_REQUESTS, start_id=QUEUE_REQUESTS)
    report["queue_1m"] = queue_pages(client, requests=100)
    report["yearly_figures_1m"] = figures(client)
    return report
