"""The masking engine (issue 8, first step): its quality on the labelled
corpus of 400 English and Swedish support messages (masking_corpus/), the
masks and the redaction report, and the fail-closed check."""

import pytest

from masking_corpus.evaluate import evaluate, load
from masking_corpus.generate import generate
from support.masking import Identity, apply_masks, detect, leaks, redaction_report

STRICT = ("email", "phone", "card", "iban", "personnummer", "ip")


@pytest.fixture(scope="module")
def quality():
    return evaluate(load())


def test_the_committed_corpus_is_what_the_generator_writes():
    assert generate() == load()


def test_recall_per_kind_and_precision_on_the_corpus(quality, capsys):
    with capsys.disabled():
        print(
            "\nmasking on the corpus:",
            {k: round(t["recall"], 4) for k, t in sorted(quality["kinds"].items())},
        )
        print(f"precision over {quality['masks']} masks: {quality['precision']:.4f}")
    for kind in STRICT:
        assert quality["kinds"][kind]["recall"] >= 0.99, (kind, quality["kinds"][kind]["missed"][:5])
    assert quality["kinds"]["reporter"]["recall"] == 1.0, quality["kinds"]["reporter"]["missed"][:5]
    assert quality["precision"] >= 0.90
    assert len(load()) >= 300 and {m["lang"] for m in load()} == {"en", "sv"}


ANNA = Identity(name="Anna Lind", email="anna.lind@example.se", username="alind42", phone="+46 70 123 45 67")


@pytest.mark.parametrize(
    "text, masked",
    [
        ("Mail ANNA.LIND@EXAMPLE.SE or anna+support@mail.example.se.", "Mail [email] or [email]."),
        (
            "Annas chef och Anna's kollega, anna\nlind själv",
            "[name]s chef och [name]'s kollega, [name] själv",
        ),
        ("Ring 070-123 45 67 eller 070-123\n45 67", "Ring [phone] eller [phone]"),
        ("Login alind42 failed", "Login [username] failed"),
        ("From 192.0.2.10 and 2001:db8::1.", "From [ip] and [ip]."),
        ("Card 4111 1111 1111 1111, order 4111 1111 1111 1112", "Card [card], order 4111 1111 1111 1112"),
        ("Pay SE45 5000 0000 0583 9825 7466 today", "Pay [iban] today"),
        ("Pnr 811228-9874, not 811228-9875", "Pnr [personnummer], not 811228-9875"),
        (
            "See https://x.example/r?token=abc and https://x.example/help?lang=sv",
            "See [url] and https://x.example/help?lang=sv",
        ),
        ("Per Olsson and Per said: 100 kr per månad", "[name] and [name] said: 100 kr per månad"),
    ],
)
def test_what_is_masked_and_what_stays(text, masked):
    detections = detect(text, reporter=ANNA, member_names=["Per Olsson"])
    assert apply_masks(text, detections) == masked


def test_the_redaction_report_counts_kinds_and_rules_never_values():
    text = "anna.lind@example.se wrote from 192.0.2.10 about Per Olsson"
    report = redaction_report(detect(text, reporter=ANNA, member_names=["Per Olsson"]))
    assert report == [
        {"kind": "email", "rule": "email-address", "count": 1},
        {"kind": "ip", "rule": "ipv4", "count": 1},
        {"kind": "name", "rule": "member-name", "count": 1},
    ]
    assert "anna" not in repr(report) and "192" not in repr(report)


def test_fail_closed_finds_what_must_never_be_shared():
    assert leaks("All masked: [email], [phone], [name].", reporter=ANNA) == []
    for text in ["write to x@example.org", "call +44 20 7946 0958", "ask alind42", "anna lind said"]:
        assert leaks(text, reporter=ANNA), text


@pytest.mark.parametrize("corpus", ["blind", "holdout", "final"])
def test_recall_and_precision_on_the_corpora_written_blind(corpus, capsys):
    """The corpora written from the label guide alone (masking_corpus/blind/, holdout/,
    final/), each by a writer who never read the engine: targets on every one."""
    from masking_corpus.evaluate import blind_corpora

    messages = blind_corpora()[corpus]
    quality = evaluate(messages)
    with capsys.disabled():
        print(
            f"\nmasking on the {corpus} corpus:",
            {k: round(t["recall"], 4) for k, t in sorted(quality["kinds"].items())},
            f"micro {quality['micro_recall']:.4f}, precision {quality['precision']:.4f}",
        )
    assert quality["micro_recall"] >= 0.995, quality["micro_recall"]
    assert quality["kinds"]["reporter"]["recall"] == 1.0, quality["kinds"]["reporter"]["missed"][:5]
    for kind in STRICT:
        assert quality["kinds"][kind]["recall"] >= 0.98, (kind, quality["kinds"][kind]["missed"][:5])
    assert quality["precision"] >= 0.99
    assert len(messages) >= 300 and {m["lang"] for m in messages} >= {"en", "sv", "mixed"}


@pytest.mark.parametrize("corpus", ["blind", "holdout", "final"])
def test_each_blind_corpus_is_what_its_own_generator_writes(corpus):
    """Nobody edited a corpus by hand after its writer made it (to fit the engine, say)."""
    import importlib

    from masking_corpus.evaluate import blind_corpora

    assert importlib.import_module(f"masking_corpus.{corpus}.generate").generate() == blind_corpora()[corpus]
