"""Baselines for the benchmarks (bench/): the cheapest possible Django views,
mounted only when BENCH_ENDPOINTS is on, never in a normal deployment."""

from django.db import connection
from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt


def bare_json(request):
    return JsonResponse({"ok": True})


@csrf_exempt
def bare_insert(request):
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO bench_bare_insert (payload, created_at) VALUES (%s, now())", [request.body[:500]]
        )
    return JsonResponse({"ok": True}, status=201)
