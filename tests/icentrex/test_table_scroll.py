"""Every table of a page sits in its own scroll box, so a wide table never
widens the page on a phone (the browser test checks the pages it can reach;
this checks every template, including tables no seeded data fills)."""

import re
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
OPEN = re.compile(r'<div class="table-scroll" role="region" aria-label="[^"]+" tabindex="0">$')


def unwrapped_tables(text: str) -> list[int]:
    """Line numbers of tables not directly inside a labelled, focusable scroll box."""
    lines = []
    for match in re.finditer(r"<table\b", text):
        before = text[: match.start()].rstrip()
        after = text[text.find("</table>", match.start()) + len("</table>") :].lstrip()
        if not (OPEN.search(before) and after.startswith("</div>")):
            lines.append(text.count("\n", 0, match.start()) + 1)
    return lines


def _page_templates():
    for path in sorted(TEMPLATES.rglob("*.html")):
        text = path.read_text()
        if text.removeprefix("{% load i18n %}").lower().startswith("<!doctype"):
            continue  # a standalone document (the HTML inside a data export), not a page of the app
        yield path, text


def test_every_table_is_in_a_labelled_focusable_scroll_box():
    unwrapped = [
        f"{path.relative_to(TEMPLATES)}:{line}"
        for path, text in _page_templates()
        for line in unwrapped_tables(text)
    ]
    assert unwrapped == []
    assert sum(text.count("<table") for _, text in _page_templates()) >= 30  # the templates were read


def test_a_bare_table_is_found():
    opening = '<div class="table-scroll" role="region" aria-label="{% translate \'X\' %}" tabindex="0">'
    assert unwrapped_tables(f"{opening}\n<table>\n</table>\n</div>") == []
    assert unwrapped_tables("<h2>X</h2>\n<table>\n</table>") == [2]
    assert unwrapped_tables('<div class="table-scroll">\n<table>\n</table>\n</div>') == [2]
    assert unwrapped_tables(f"{opening}\n<table>\n</table>\n<p>") == [2]
