"""The app-level import graph of production code, as JSON.

Reads every import (function-local ones included) with grimp, the library
import-linter is built on; leaves out tests, migrations and the benchmarks;
folds modules into their top-level package; and prints the arrows, the ones
that run back up the stack (the layers contract in ``.importlinter``,
lowest last there), the cycles between packages and the largest files:

    .venv/bin/python tools/app_graph.py
"""

import configparser
import json
import sys
from collections import defaultdict
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parent.parent
NOT_PRODUCTION = {
    "tests",
    "bench",
    "masking_corpus",
    "tools",
    "node_modules",
    "static",
    "templates",
    "locale",
    "var",
}


def packages() -> list[str]:
    return sorted(
        p.name
        for p in ROOT.iterdir()
        if (p / "__init__.py").exists() and p.name not in NOT_PRODUCTION and not p.name.startswith(".")
    )


def production(module: str) -> bool:
    parts = module.split(".")
    return "migrations" not in parts and "tests" not in parts


def stack_order() -> list[str]:
    """The layers of the whole-stack contract, lowest first ([] before it exists)."""
    config = configparser.ConfigParser()
    config.read(ROOT / ".importlinter")
    for section in config.sections():
        if config[section].get("type") == "layers":
            layers = [line.strip() for line in config[section]["layers"].splitlines() if line.strip()]
            # A layer line may hold independent siblings: "a | b".
            return [name.strip() for line in reversed(layers) for name in line.replace(":", "|").split("|")]
    return []


def strongly_connected(nodes, edges) -> list[list[str]]:
    """Tarjan's algorithm: the groups of packages that import each other in a circle."""
    index, low, on_stack, stack, groups, counter = {}, {}, set(), [], [], [0]

    def visit(node):
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for target in edges[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in nodes:
        if node not in index:
            visit(node)
    return groups


def main() -> None:
    sys.path.insert(0, str(ROOT))
    names = packages()
    graph = grimp.build_graph(*names, include_external_packages=False)
    edges: dict[str, set[str]] = defaultdict(set)
    for importer in graph.modules:
        if not production(importer):
            continue
        for imported in graph.find_modules_directly_imported_by(importer):
            source, target = importer.split(".")[0], imported.split(".")[0]
            if source != target and production(imported):
                edges[source].add(target)
    arrows = sorted((a, b) for a in edges for b in edges[a])
    order = stack_order()
    rank = {name: position for position, name in enumerate(order)}
    back_up = [f"{a} -> {b}" for a, b in arrows if a in rank and b in rank and rank[b] > rank[a]]
    sizes = []
    for name in names:
        for path in (ROOT / name).rglob("*.py"):
            if production(".".join(path.relative_to(ROOT).with_suffix("").parts)):
                sizes.append((sum(1 for _ in path.open()), str(path.relative_to(ROOT))))
    print(
        json.dumps(
            {
                "packages": names,
                "arrows": len(arrows),
                "arrows_running_back_up": back_up if order else "no layers contract yet",
                "cycles": strongly_connected(names, edges),
                "largest_files": [f"{path} {lines}" for lines, path in sorted(sizes, reverse=True)[:8]],
                "graph": {a: sorted(edges[a]) for a in sorted(edges)},
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
