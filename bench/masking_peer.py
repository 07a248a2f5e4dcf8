"""The masking engine beside Microsoft Presidio, on the same corpora, scored
the same way, in one run (issue 21, item 5).

Presidio runs with **pattern recognizers only**: its NLP engine is a blank
spaCy pipeline (a tokenizer, no model), because a trained model would have to
be downloaded. That leaves out Presidio's named-entity recognition (names,
places), so names are found as a competent engineer would configure it for
this task: per message, deny-lists of the reporter's identifiers and the
organisation's members' names; phone regions SE, GB, DE, US, NO, DK, FI, NL;
its email, phone, IP, URL, credit-card and IBAN recognizers; and a Swedish
personnummer recognizer (a pattern and a Luhn check) that Presidio lacks.

It needs Presidio, which the project does not depend on: ``bin/bench
masking-peer`` makes a separate virtual environment (``.venv-peer``) with the
pinned versions below and runs this file there. No model is downloaded."""

import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PEER_REQUIREMENTS = ["presidio-analyzer==2.2.366", "phonenumbers==9.0.43", "python-stdnum==2.2"]
REGIONS = ("SE", "GB", "DE", "US", "NO", "DK", "FI", "NL")


class _Span:
    def __init__(self, start, end):
        self.start, self.end = start, end


def _presidio():
    # Presidio's email recognizer asks tldextract, which would fetch the public suffix list
    # from the internet on first use: no list URLs, so it takes the snapshot it ships with.
    os.environ["TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS"] = ""
    import spacy
    from presidio_analyzer import AnalyzerEngine, Pattern, PatternRecognizer, RecognizerRegistry
    from presidio_analyzer.nlp_engine import SpacyNlpEngine
    from presidio_analyzer.predefined_recognizers import (
        CreditCardRecognizer,
        EmailRecognizer,
        IbanRecognizer,
        IpRecognizer,
        PhoneRecognizer,
        UrlRecognizer,
    )
    from stdnum import luhn

    class BlankSpacy(SpacyNlpEngine):
        """A tokenizer only: no model to download, no named entities."""

        def load(self):
            self.nlp = {"en": spacy.blank("en")}

    class Personnummer(PatternRecognizer):
        def validate_result(self, pattern_text):
            digits = "".join(c for c in pattern_text if c.isdigit())[-10:]
            return len(digits) == 10 and luhn.is_valid(digits)

    engine = BlankSpacy(models=[{"lang_code": "en", "model_name": "blank"}])
    engine.load()
    registry = RecognizerRegistry()
    for recognizer in (
        EmailRecognizer(),
        PhoneRecognizer(supported_regions=REGIONS),
        IpRecognizer(),
        UrlRecognizer(),
        CreditCardRecognizer(),
        IbanRecognizer(),
        Personnummer(
            supported_entity="SE_PERSONNUMMER",
            patterns=[Pattern("personnummer", r"\b(?:\d{2})?\d{6}[-+]?\d{4}\b", 0.5)],
        ),
    ):
        registry.add_recognizer(recognizer)
    return AnalyzerEngine(registry=registry, nlp_engine=engine, supported_languages=["en"]), PatternRecognizer


def _deny_list(message, pattern_recognizer):
    reporter = message["reporter"]
    words = set()
    for name in [reporter.get("name", ""), *message["org_members"]]:
        if name:
            words.add(name)
            words.update(part for part in name.split() if len(part) >= 3)
    words.update(value for key, value in reporter.items() if key != "name" and value)
    return [
        pattern_recognizer(supported_entity="PERSON_OR_ID", deny_list=sorted(words, key=len, reverse=True))
    ]


def _run_presidio(analyzer, pattern_recognizer, messages):
    found, timings = [], []
    for message in messages:
        started = time.perf_counter()
        results = analyzer.analyze(
            message["text"], language="en", ad_hoc_recognizers=_deny_list(message, pattern_recognizer)
        )
        timings.append((time.perf_counter() - started) * 1000)
        found.append([_Span(r.start, r.end) for r in results])
    return found, timings


def _run_ours(messages):
    from support.masking import Identity, detect

    found, timings = [], []
    for message in messages:
        started = time.perf_counter()
        spans = detect(
            message["text"], reporter=Identity(**message["reporter"]), member_names=message["org_members"]
        )
        timings.append((time.perf_counter() - started) * 1000)
        found.append(spans)
    return found, timings


def _score(messages, found) -> dict:
    from masking_corpus.evaluate import _covered

    per_kind, masks, right, decoys_hit = {}, 0, 0, 0
    for message, detections in zip(messages, found, strict=True):
        for span in message["spans"]:
            tally = per_kind.setdefault(span["kind"], [0, 0])
            tally[0] += 1
            tally[1] += _covered(span, detections)
        for detection in detections:
            masks += 1
            right += any(detection.start < s["end"] and s["start"] < detection.end for s in message["spans"])
        decoys_hit += sum(
            any(d.start < x["end"] and x["start"] < d.end for d in detections) for x in message["distractors"]
        )
    labelled = sum(t[0] for t in per_kind.values())
    recall = {kind: round(t[1] / t[0], 4) for kind, t in sorted(per_kind.items())}
    return {
        "micro_recall": round(sum(t[1] for t in per_kind.values()) / labelled, 4),
        "macro_recall": round(statistics.mean(recall.values()), 4),
        "recall": recall,
        "precision": round(right / masks, 4) if masks else 1.0,
        "decoys_hit": decoys_hit,
    }


def _timing(timings) -> dict:
    timings = sorted(timings)
    return {
        "median_ms": round(statistics.median(timings), 3),
        "p95_ms": round(timings[int(len(timings) * 0.95)], 3),
    }


def run() -> dict:
    from masking_corpus.evaluate import load, load_blind, load_holdout

    analyzer, pattern_recognizer = _presidio()
    report = {"presidio": "presidio-analyzer 2.2.366, pattern recognizers only (blank spaCy, no NER model)"}
    corpora = {"development": load(), "blind": load_blind(), "holdout": load_holdout()}
    final = ROOT / "masking_corpus" / "final" / "corpus.json"
    if final.exists():
        corpora["final"] = json.loads(final.read_text(encoding="utf-8"))
    for name, messages in corpora.items():
        _run_ours(messages[:20])  # warm-up of both (imports, pattern caches)
        _run_presidio(analyzer, pattern_recognizer, messages[:20])
        ours, our_times = _run_ours(messages)
        theirs, their_times = _run_presidio(analyzer, pattern_recognizer, messages)
        report[name] = {
            "messages": len(messages),
            "ours": {**_score(messages, ours), **_timing(our_times)},
            "presidio": {**_score(messages, theirs), **_timing(their_times)},
        }
    return report


if __name__ == "__main__":
    print(json.dumps({"masking_peer": run()}, indent=2))
