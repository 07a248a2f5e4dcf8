"""The monitoring files in deploy/: Prometheus accepts the rules and the example
configuration, the alerts fire in their unit tests, and every metric the
dashboard and the alerts ask for is one the app serves."""

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
PROMETHEUS = ROOT / "deploy" / "prometheus"
DASHBOARD = ROOT / "deploy" / "grafana" / "icentrex.json"


@pytest.fixture
def promtool():
    found = shutil.which("promtool")
    if found is None:
        if os.environ.get("REQUIRE_BROWSER"):  # CI: .ci/run installs Debian's prometheus package
            pytest.fail("promtool is missing (Debian: apt-get install prometheus)")
        pytest.skip("promtool is not installed (Debian: apt-get install prometheus)")
    return found


def run(promtool, *args):
    result = subprocess.run([promtool, *args], cwd=PROMETHEUS, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def test_promtool_accepts_the_rules_and_the_example_configuration(promtool):
    assert "SUCCESS: 12 rules found" in run(promtool, "check", "rules", "alerts.yml")
    assert "SUCCESS" in run(promtool, "check", "config", "--syntax-only", "prometheus.yml")


def test_the_alerts_fire_in_their_unit_tests(promtool):
    assert "SUCCESS" in run(promtool, "test", "rules", "alerts_test.yml")


def _metric_names(expression: str) -> set[str]:
    return set(re.findall(r"\b(icentrex_[a-z_]+)", expression))


def _served(name: str, served: set[str]) -> bool:
    # A histogram is served as _bucket/_sum/_count, a counter with _total.
    return name in served or re.sub(r"_(bucket|sum|count|total)$", "", name) in served


@pytest.mark.django_db
def test_every_metric_the_dashboard_and_alerts_use_is_served(client):
    from prometheus_client.parser import text_string_to_metric_families

    from audit.streams import logged_streams
    from audit.transparency import log_integrate_all

    for stream in logged_streams():  # every stream has a checkpoint, so its age is served
        log_integrate_all(stream.name, stream.log)
    client.get("/")  # a request and its queries are counted
    served = {
        family.name for family in text_string_to_metric_families(client.get("/metrics").content.decode())
    }
    rules = yaml.safe_load((PROMETHEUS / "alerts.yml").read_text())
    used = {
        name for group in rules["groups"] for rule in group["rules"] for name in _metric_names(rule["expr"])
    }
    dashboard = json.loads(DASHBOARD.read_text())
    for panel in dashboard["panels"]:
        for target in panel.get("targets", []):
            used |= _metric_names(target["expr"])
    assert used, "no metric found in the files"
    missing = sorted(name for name in used if not _served(name, served))
    assert missing == []


def test_the_dashboard_is_grafana_json_with_a_datasource_variable():
    dashboard = json.loads(DASHBOARD.read_text())
    assert dashboard["uid"] == "icentrex-privacy"
    assert [v["name"] for v in dashboard["templating"]["list"]] == ["datasource"]
    ids = [panel["id"] for panel in dashboard["panels"]]
    assert len(ids) == len(set(ids))
    for panel in dashboard["panels"]:
        for target in panel.get("targets", []):
            assert target["datasource"]["uid"] == "${datasource}"
