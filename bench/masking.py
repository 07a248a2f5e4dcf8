"""The support-case masking engine (issue 8): how long masking a 10 KB
message takes, and its recall and precision on the labelled corpus.

The messages are built from the corpus (masking_corpus/corpus.json): its
messages joined until each is 10 KB, so each holds what real cases hold —
addresses, numbers, log lines, names — in English and Swedish, with the
reporter's profile and 30 organisation members' names to look for. Timed
in process, wall clock, detection plus masking, after one warm-up pass (the
names' pattern is compiled once per organisation member list and cached)."""

import statistics
import time

MESSAGE_BYTES = 10 * 1024
MESSAGES = 50
ROUNDS = 5


def _messages():
    from masking_corpus.evaluate import load
    from support.masking import Identity

    corpus, built, i = load(), [], 0
    while len(built) < MESSAGES:
        reporter = Identity(**corpus[i % len(corpus)]["reporter"])
        text, members = "", []
        while len(text.encode()) < MESSAGE_BYTES:
            message = corpus[i % len(corpus)]
            text += message["text"] + "\n\n"
            members += message["org_members"]
            i += 1
        built.append((text.encode()[:MESSAGE_BYTES].decode(errors="ignore"), reporter, members[:30]))
    return built


def _per_message(messages) -> dict:
    """Each corpus message masked as it is (a typical support message), timed:
    "cold" the first time each reporter and member list is seen (as for a new
    case: their lookups are built then), "warm" in the rounds after."""
    from support.masking import Identity, apply_masks, detect

    _per_message_cache_clear()
    rounds = []
    for _ in range(ROUNDS):
        timings = []
        for message in messages:
            reporter = Identity(**message["reporter"])
            started = time.perf_counter()
            apply_masks(
                message["text"],
                detect(message["text"], reporter=reporter, member_names=message["org_members"]),
            )
            timings.append((time.perf_counter() - started) * 1000)
        rounds.append(sorted(timings))
    warm = sorted(t for timings in rounds[1:] for t in timings)
    sizes = sorted(len(m["text"].encode()) for m in messages)

    def figures(timings):
        return {
            "median_ms": round(statistics.median(timings), 3),
            "p95_ms": round(timings[int(len(timings) * 0.95)], 3),
        }

    return {
        "messages": len(messages),
        "median_bytes": sizes[len(sizes) // 2],
        "cold": figures(rounds[0]),
        "warm": figures(warm),
        "target_ms": 2,
    }


def _per_message_cache_clear():
    from support import masking

    for cached in (masking._name_table, masking._own_number_spellings, masking._username_pattern):
        cached.cache_clear()


def _quality(messages) -> dict:
    from masking_corpus.evaluate import evaluate

    quality = evaluate(messages)
    return {
        "messages": len(messages),
        "recall": {kind: round(tally["recall"], 4) for kind, tally in sorted(quality["kinds"].items())},
        "labelled": {kind: tally["labelled"] for kind, tally in sorted(quality["kinds"].items())},
        "micro_recall": round(quality["micro_recall"], 4),
        "macro_recall": round(quality["macro_recall"], 4),
        "precision": round(quality["precision"], 4),
        "masks": quality["masks"],
        "decoys_hit": sum(t["hit"] for t in quality["decoys"].values()),
        "decoys": sum(t["seen"] for t in quality["decoys"].values()),
    }


def run() -> dict:
    from masking_corpus.evaluate import load, load_blind
    from support.masking import apply_masks, detect

    messages = _messages()
    for text, reporter, members in messages:  # warm-up
        detect(text, reporter=reporter, member_names=members)
    timings = []
    for _ in range(ROUNDS):
        for text, reporter, members in messages:
            started = time.perf_counter()
            apply_masks(text, detect(text, reporter=reporter, member_names=members))
            timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    for message in load_blind():  # warm-up of the per-message timings (patterns per reporter)
        detect(message["text"])
    return {
        "message_bytes": MESSAGE_BYTES,
        "messages_timed": len(timings),
        "mask_10kb_ms": {
            "median": round(statistics.median(timings), 2),
            "p95": round(timings[int(len(timings) * 0.95)], 2),
            "max": round(timings[-1], 2),
            "target_median": 20,
        },
        "per_message": {"development": _per_message(load()), "blind": _per_message(load_blind())},
        "corpus": _quality(load()),
        "blind_corpus": _quality(load_blind()),
    }
