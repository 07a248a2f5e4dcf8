"""What changed between two policy versions, as people read it: the rendered
text, only the blocks that changed plus a little context, grouped into changes
that a list at the top links to.

Markdown is diffed block by block (paragraphs, headings, list items) with
difflib, then each changed block that has a counterpart is diffed word by word
on its rendered, already sanitised HTML, so a one-word edit in a long
paragraph shows as that word."""

import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass, field

import nh3
from django.utils.html import strip_tags
from django.utils.safestring import SafeString, mark_safe

_BULLET = re.compile(r"^\s{0,3}[-*+]\s")
_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
# A tag (attribute values are double-quoted by the sanitiser, and may hold ">"),
# a run of whitespace, an entity, a word, or one punctuation mark (so "13." to
# "16." marks the number, not the full stop).
_TOKEN = re.compile(r'<(?:[^>"]|"[^"]*")*>|\s+|&#?\w+;|\w+|[^\w\s<]')

# Pairs of old and new blocks less alike than this are shown as one removed and
# one added block: word marks all over a rewritten paragraph help nobody.
_WORDWISE_MIN_RATIO = 0.4


@dataclass(frozen=True)
class Block:
    kind: str  # "same" (context), "changed" (words marked inside), "added" or "removed"
    html: SafeString


@dataclass
class Change:
    number: int
    section: str  # the heading the change sits under, for the jump list ("" before any heading)
    blocks: list[Block] = field(default_factory=list)

    @property
    def anchor(self) -> str:
        return f"change-{self.number}"


@dataclass(frozen=True)
class VersionChanges:
    changes: list[Change]
    unchanged: bool


def split_blocks(body: str) -> list[str]:
    """Markdown blocks: separated by blank lines; a bulleted list is split into
    its items, so one changed item does not drag the whole list along.
    (Numbered lists stay whole: an item alone would render with number 1.)"""
    blocks: list[str] = []
    for chunk in re.split(r"\n\s*\n", body.replace("\r\n", "\n").strip()):
        lines = chunk.split("\n")
        if not _BULLET.match(lines[0]):
            blocks.append(chunk.strip())
            continue
        item: list[str] = []
        for line in lines:
            if _BULLET.match(line) and item:
                blocks.append("\n".join(item))
                item = []
            item.append(line)
        blocks.append("\n".join(item))
    return [b for b in blocks if b]


def _heading(block: str) -> str | None:
    match = _HEADING.match(block) if "\n" not in block else None
    return strip_tags(match.group(2)).replace("*", "").strip() if match else None


def _sections(blocks: list[str]) -> list[str]:
    """For each block, the heading it sits under (a heading sits under itself)."""
    current, result = "", []
    for block in blocks:
        current = _heading(block) or current
        result.append(current)
    return result


def _words_marked(old_html: str, new_html: str) -> str:
    """The new block's HTML with inserted words in <ins> and removed words in
    <del>. Every tag of the new block is kept in order (so the markup stays
    balanced); from the old block only its words come back, inside <del>."""
    old_tokens, new_tokens = _TOKEN.findall(old_html), _TOKEN.findall(new_html)
    out: list[str] = []

    def marked(tokens: list[str], tag: str, keep_tags: bool) -> None:
        run: list[str] = []

        def flush():
            text = "".join(run)
            words = text.strip()
            if words:
                # Spaces around the changed words stay outside the mark.
                lead, trail = text[: len(text) - len(text.lstrip())], text[len(text.rstrip()) :]
                out.append(f"{lead}<{tag}>{words}</{tag}>{trail}")
            else:
                out.append(text)
            run.clear()

        for token in tokens:
            if not token.startswith("<"):
                run.append(token)
            elif keep_tags:
                flush()
                out.append(token)
        flush()

    matcher = difflib.SequenceMatcher(None, old_tokens, new_tokens, autojunk=False)
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            out.extend(new_tokens[b1:b2])
            continue
        if op in ("delete", "replace"):
            marked(old_tokens[a1:a2], "del", keep_tags=False)
        if op in ("insert", "replace"):
            marked(new_tokens[b1:b2], "ins", keep_tags=True)
    return "".join(out)


def _similar(old: str, new: str) -> bool:
    # Words only: Markdown markers ("-", "##") would make any two items look alike.
    words = re.compile(r"\w+")
    ratio = difflib.SequenceMatcher(None, words.findall(old), words.findall(new), autojunk=False).ratio()
    return ratio >= _WORDWISE_MIN_RATIO


def block_changes(
    old_body: str,
    new_body: str,
    *,
    render: Callable[[str], str],
    allowed_tags: set[str],
    context: int = 1,
) -> VersionChanges:
    """The changes from ``old_body`` to ``new_body``, each with ``context``
    unchanged blocks either side. ``render`` turns Markdown into sanitised HTML;
    the word marks are sanitised again with ``allowed_tags`` plus ins and del."""
    old_blocks, new_blocks = split_blocks(old_body), split_blocks(new_body)
    new_sections, old_sections = _sections(new_blocks), _sections(old_blocks)
    tags = set(allowed_tags) | {"ins", "del"}

    def safe(html: str) -> SafeString:
        clean = nh3.clean(
            html,
            tags=tags,
            attributes={"a": {"href", "title"}},
            url_schemes={"http", "https", "mailto"},
            link_rel="noopener noreferrer",
        )
        return mark_safe(clean)  # noqa: S308  (sanitised by nh3 just above)

    matcher = difflib.SequenceMatcher(None, old_blocks, new_blocks, autojunk=False)
    changes: list[Change] = []
    for group in matcher.get_grouped_opcodes(context):
        change = Change(number=len(changes) + 1, section="")
        for op, a1, a2, b1, b2 in group:
            if op == "equal":
                change.blocks += [Block("same", safe(render(b))) for b in new_blocks[b1:b2]]
                continue
            if not change.section:
                change.section = new_sections[b1] if b1 < b2 else old_sections[a1]
            old_part, new_part = old_blocks[a1:a2], new_blocks[b1:b2]
            # Pair the blocks that replace each other one for one; the rest are
            # plainly removed or added.
            paired = min(len(old_part), len(new_part)) if op == "replace" else 0
            for old, new in zip(old_part[:paired], new_part[:paired], strict=True):
                if _similar(old, new):
                    change.blocks.append(Block("changed", safe(_words_marked(render(old), render(new)))))
                else:
                    change.blocks.append(Block("removed", safe(render(old))))
                    change.blocks.append(Block("added", safe(render(new))))
            change.blocks += [Block("removed", safe(render(b))) for b in old_part[paired:]]
            change.blocks += [Block("added", safe(render(b))) for b in new_part[paired:]]
        changes.append(change)
    return VersionChanges(changes=changes, unchanged=not changes)
