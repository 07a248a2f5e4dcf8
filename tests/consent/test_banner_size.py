"""A banner must stay small: consent.js and embed.js together at most 15 KB gzipped."""

import gzip
from pathlib import Path

STATIC = Path(__file__).resolve().parents[2] / "static" / "js"


def test_the_banner_scripts_stay_within_15_kb_gzipped():
    size = sum(len(gzip.compress((STATIC / name).read_bytes(), 9)) for name in ("consent.js", "embed.js"))
    assert size <= 15 * 1024, f"{size} bytes gzipped"
