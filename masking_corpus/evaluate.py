"""Recall and precision of the masking engine on the labelled corpus
(masking_corpus/corpus.json, written by ``python -m masking_corpus.generate``).

A labelled span counts as found when masks cover all of it; a mask counts as
right when it overlaps a labelled span. ``python -m masking_corpus.evaluate``
prints the table (the figures kept in docs/benchmarks.md)."""

import json
from pathlib import Path

from support.masking import Identity, detect

CORPUS = Path(__file__).with_name("corpus.json")
# Written from the label guide alone by a writer who never read the engine or the
# corpus above (blind/README.md); used only to measure, never to tune.
BLIND_CORPUS = Path(__file__).parent / "blind" / "corpus.json"
# Written afterwards by another writer under the same rules (holdout/README.md), once
# the blind corpus had been read for its misses: never read for tuning.
HOLDOUT_CORPUS = Path(__file__).parent / "holdout" / "corpus.json"
# Written last by a third writer under the same rules, after the holdout had been read:
# measured once on the engine at commit 8d8a7e5, never read for tuning (final/README.md).
FINAL_CORPUS = Path(__file__).parent / "final" / "corpus.json"


def load() -> list[dict]:
    return json.loads(CORPUS.read_text(encoding="utf-8"))


def load_blind() -> list[dict]:
    return json.loads(BLIND_CORPUS.read_text(encoding="utf-8"))


def load_holdout() -> list[dict]:
    return json.loads(HOLDOUT_CORPUS.read_text(encoding="utf-8"))


def load_final() -> list[dict]:
    return json.loads(FINAL_CORPUS.read_text(encoding="utf-8"))


def blind_corpora() -> dict[str, list[dict]]:
    """The corpora written from the label guide alone, in the order they were written."""
    return {"blind": load_blind(), "holdout": load_holdout(), "final": load_final()}


def _covered(span: dict, detections) -> bool:
    position = span["start"]
    for detection in sorted(detections, key=lambda d: d.start):
        if detection.start <= position < detection.end:
            position = detection.end
        if position >= span["end"]:
            return True
    return position >= span["end"]


def evaluate(messages: list[dict]) -> dict:
    """{kind: {"labelled", "found", "recall"}} plus micro and macro recall,
    "precision" over all masks and the distractors hit (by sort)."""
    per_kind: dict[str, dict] = {}
    masks = right = 0
    decoys: dict[str, dict] = {}
    for message in messages:
        reporter = Identity(**message["reporter"])
        detections = detect(message["text"], reporter=reporter, member_names=message["org_members"])
        for span in message["spans"]:
            tally = per_kind.setdefault(span["kind"], {"labelled": 0, "found": 0, "missed": []})
            tally["labelled"] += 1
            if _covered(span, detections):
                tally["found"] += 1
            else:
                tally["missed"].append((message["id"], span["text"]))
        for detection in detections:
            masks += 1
            right += any(detection.start < s["end"] and s["start"] < detection.end for s in message["spans"])
        for decoy in message.get("distractors", ()):
            tally = decoys.setdefault(decoy["sort"], {"seen": 0, "hit": 0})
            tally["seen"] += 1
            tally["hit"] += any(d.start < decoy["end"] and decoy["start"] < d.end for d in detections)
    for tally in per_kind.values():
        tally["recall"] = tally["found"] / tally["labelled"]
    labelled = sum(t["labelled"] for t in per_kind.values())
    return {
        "kinds": per_kind,
        "micro_recall": sum(t["found"] for t in per_kind.values()) / labelled if labelled else 1.0,
        "macro_recall": sum(t["recall"] for t in per_kind.values()) / len(per_kind) if per_kind else 1.0,
        "masks": masks,
        "precision": right / masks if masks else 1.0,
        "decoys": decoys,
    }


def main() -> None:
    corpora = {"development": load(), **blind_corpora()}
    for name, messages in corpora.items():
        print(f"== {name} corpus: {len(messages)} messages")
        _print(evaluate(messages))


def _print(result: dict) -> None:
    print(f"{'kind':<14}{'labelled':>9}{'found':>7}{'recall':>8}")
    for kind, tally in sorted(result["kinds"].items()):
        print(f"{kind:<14}{tally['labelled']:>9}{tally['found']:>7}{tally['recall']:>8.3f}")
        for message_id, text in tally["missed"][:5]:
            print(f"    missed in {message_id}: {text!r}")
    print(f"micro recall {result['micro_recall']:.3f}, macro recall {result['macro_recall']:.3f}")
    print(f"precision over {result['masks']} masks: {result['precision']:.3f}")
    hit = {sort: t for sort, t in sorted(result["decoys"].items()) if t["hit"]}
    seen = sum(t["seen"] for t in result["decoys"].values())
    print(f"decoys hit: {sum(t['hit'] for t in hit.values())} of {seen}")
    for sort, tally in hit.items():
        print(f"    {sort}: {tally['hit']} of {tally['seen']}")


if __name__ == "__main__":
    main()
