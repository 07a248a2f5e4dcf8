"""The consent POST's short path validates plain decisions without a serializer
(consent.serializers.plain_decision). Whatever it accepts, the serializer must
accept with the same result; whatever it declines goes to the serializer, which
words the error."""

import itertools

import pytest

from consent.models import ConsentRecord
from consent.serializers import ConsentDecisionSerializer, plain_decision

HASH = "a" * 64
ODD_VALUES = [None, True, 0, 1, 2.5, [], ["x"], {}, {"x": 1}, "", " ", "\x00", "\ud800", "x" * 501]
CANDIDATES = {
    "method": [m.value for m in ConsentRecord.Method] + ["BANNER_ACCEPT_ALL", " api", "api "],
    "revision": [HASH, HASH[:63], HASH + "a", " " + HASH[1:], HASH[1:] + " ", HASH[1:] + "\x00", "é" * 64],
    "choices": [
        {},
        {"analytics": True, "marketing": False},
        {"analytics": "true"},
        {"analytics": 1},
        {"analytics": None},
        {"analytics": [True]},
    ],
    "visitor": ["token:abc", "x" * 200, "x" * 201, " token", "token ", "to\tken", "tök"],
    "page_url": ["https://x.example/", "x" * 500, "https://x.example/ä?q=1", "a\nb", "\u00a0x"],
    "language": ["sv", "x" * 10, "x" * 11, "sv-SE"],
    "colour": ["red"],
}


def inputs():
    base = {"method": "banner_accept_all", "revision": HASH}
    yield base
    for method in CANDIDATES["method"] + ODD_VALUES:
        yield {**base, "method": method}
        yield {**base, "method": method, "choices": {"analytics": True}}
    for name, values in CANDIDATES.items():
        for value in values + ODD_VALUES:
            for method in ("banner_accept_all", "banner_custom"):
                yield {**base, "method": method, name: value}
    without_revision = {"method": "banner_accept_all"}
    yield without_revision
    for a, b in itertools.combinations(["choices", "visitor", "page_url", "language"], 2):
        yield {**base, "method": "api", a: CANDIDATES[a][1], b: CANDIDATES[b][0]}
    yield from [None, [], "x", 5, [base]]


def test_plain_decisions_validate_as_the_serializer_does():
    accepted = 0
    for data in inputs():
        plain = plain_decision(data)
        if plain is None:
            continue  # the serializer decides, as before
        serializer = ConsentDecisionSerializer(data=data)
        assert serializer.is_valid(), (data, serializer.errors)
        assert dict(serializer.validated_data) == plain, data
        accepted += 1
    assert accepted > 30  # the corpus exercises the short path, not only the fallback


@pytest.mark.parametrize(
    "data",
    [
        {"method": "banner_accept_all", "revision": HASH, "page_url": "https://privacy.icentrex.example/"},
        {"method": "banner_reject_all", "revision": HASH, "page_url": "https://x.example/", "language": "sv"},
        {"method": "banner_custom", "revision": HASH, "choices": {"analytics": True, "marketing": False}},
        {"method": "api", "revision": HASH, "choices": {"analytics": False}, "visitor": "a:b:c"},
        {"method": "gpc", "revision": HASH, "page_url": "", "language": ""},
    ],
)
def test_what_the_banner_and_embed_send_takes_the_short_path(data):
    assert plain_decision(data) == data
