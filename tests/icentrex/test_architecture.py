"""The apps form one stack (DESIGN.md, "Layers"; docs/architecture.md): each
imports only the apps below it, function-local imports included. The contract
lives in .importlinter and is checked here by import-linter itself."""

import configparser
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def _contract() -> configparser.ConfigParser:
    config = configparser.ConfigParser()
    config.read(ROOT / ".importlinter")
    return config


def _listed(value: str) -> set[str]:
    return {name.strip() for line in value.splitlines() for name in line.split("|") if name.strip()}


def test_the_import_contracts_hold():
    result = subprocess.run(
        [str(BIN / "lint-imports"), "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]


def test_every_package_has_a_place_in_the_stack():
    """A new app outside the contract would escape it: every production package
    at the top level is a root package and a layer."""
    config = _contract()
    roots = _listed(config["importlinter"]["root_packages"])
    layers = _listed(config["importlinter:contract:stack"]["layers"])
    packages = json.loads(
        subprocess.run(
            [sys.executable, "tools/app_graph.py"], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout
    )["packages"]
    assert set(packages) == roots == layers


def test_the_app_graph_has_no_cycle_and_no_arrow_up():
    graph = json.loads(
        subprocess.run(
            [sys.executable, "tools/app_graph.py"], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout
    )
    assert graph["cycles"] == [] and graph["arrows_running_back_up"] == [], graph
