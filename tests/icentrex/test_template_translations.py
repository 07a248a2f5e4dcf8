"""Template strings that translators see: a ``{% blocktranslate %}`` renders
only plain names bound by ``with``/``count`` (or plain context names); a dotted
variable or a filter inside it silently renders as nothing ("… to .")."""

import re
from pathlib import Path

from django.template.base import Lexer, TokenType

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
OPENING = {"blocktranslate", "blocktrans"}
CLOSING = {"endblocktranslate", "endblocktrans"}


def blocktranslate_variables_that_do_not_render(source: str) -> list[tuple[int, str]]:
    found = []
    inside = False
    for token in Lexer(source).tokenize():
        if token.token_type == TokenType.BLOCK:
            word = token.contents.split()[0] if token.contents.split() else ""
            inside = word in OPENING or (inside and word not in CLOSING)
        elif inside and token.token_type == TokenType.VAR and re.search(r"[.|]", token.contents):
            found.append((token.lineno, token.contents))
    return found


def test_the_scanner_catches_a_dotted_variable_and_a_filter():
    source = (
        "{% load i18n %}{% blocktranslate count n=x %}{{ n }} to {{ org.name }}"
        "{% plural %}{{ n }} to {{ org.name }}{% endblocktranslate %}"
        "{% blocktranslate with name=org.name %}{{ name }} and {{ other|upper }}{% endblocktranslate %}"
        "{{ outside.name }}"
    )
    assert [v for _line, v in blocktranslate_variables_that_do_not_render(source)] == [
        "org.name",
        "org.name",
        "other|upper",
    ]


def test_no_template_uses_a_dotted_variable_or_filter_inside_blocktranslate():
    problems = [
        f"{path.relative_to(TEMPLATES)}:{line}: {{{{ {var} }}}}"
        for path in sorted(TEMPLATES.rglob("*"))
        if path.is_file()
        for line, var in blocktranslate_variables_that_do_not_render(path.read_text(encoding="utf-8"))
    ]
    assert not problems, "bind these with `with name=…` in the blocktranslate tag:\n" + "\n".join(problems)
