"""Tree hashing and proofs (audit.tlog) against two references: RFC 6962's
recursive definitions written out literally below, and pymerkle, an
independent implementation. Verifiers that accept a forgery are the known
failure of such systems, so a thousand forged proofs of every kind are
thrown at them."""

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pymerkle import InmemoryTree

from audit import tlog

# --- RFC 6962, section 2.1, written as the RFC writes it ---------------------------------


def mth(leaves: list[bytes]) -> bytes:
    if not leaves:
        return tlog.EMPTY_ROOT
    if len(leaves) == 1:
        return leaves[0]
    k = tlog.split_point(len(leaves))
    return tlog.node_hash(mth(leaves[:k]), mth(leaves[k:]))


def path(m: int, leaves: list[bytes]) -> list[bytes]:
    if len(leaves) == 1:
        return []
    k = tlog.split_point(len(leaves))
    if m < k:
        return path(m, leaves[:k]) + [mth(leaves[k:])]
    return path(m - k, leaves[k:]) + [mth(leaves[:k])]


def subproof(m: int, leaves: list[bytes], whole: bool) -> list[bytes]:
    n = len(leaves)
    if m == n:
        return [] if whole else [mth(leaves)]
    k = tlog.split_point(n)
    if m <= k:
        return subproof(m, leaves[:k], whole) + [mth(leaves[k:])]
    return subproof(m - k, leaves[k:], False) + [mth(leaves[:k])]


def proof(m: int, leaves: list[bytes]) -> list[bytes]:
    return [] if m in (0, len(leaves)) else subproof(m, leaves, True)


def leaves_of(n: int) -> list[bytes]:
    return [tlog.leaf_hash(f"entry {i}".encode()) for i in range(n)]


def planned(ranges, leaves):
    return [mth(leaves[start:end]) for start, end in ranges]


# --- Properties --------------------------------------------------------------------------

sizes = st.integers(min_value=1, max_value=300)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.binary(max_size=40), max_size=200))
def test_root_matches_the_rfc_and_pymerkle(entries):
    leaves = [tlog.leaf_hash(entry) for entry in entries]
    assert tlog.root_from_leaf_hashes(leaves) == mth(leaves)
    if entries:
        reference = InmemoryTree(algorithm="sha256")
        for entry in entries:
            reference.append_entry(entry)
        assert tlog.root_from_leaf_hashes(leaves) == reference.get_root()


@settings(max_examples=300, deadline=None)
@given(st.data(), sizes)
def test_inclusion_proofs_match_the_rfc_and_verify(data, size):
    leaves = leaves_of(size)
    index = data.draw(st.integers(min_value=0, max_value=size - 1))
    hashes = planned(tlog.inclusion_ranges(index, size), leaves)
    assert hashes == path(index, leaves)
    tlog.verify_inclusion(leaf=leaves[index], index=index, size=size, proof=hashes, root=mth(leaves))


@settings(max_examples=300, deadline=None)
@given(st.data(), sizes)
def test_consistency_proofs_match_the_rfc_and_verify(data, size):
    leaves = leaves_of(size)
    first = data.draw(st.integers(min_value=0, max_value=size))
    hashes = planned(tlog.consistency_ranges(first, size), leaves)
    assert hashes == proof(first, leaves)
    tlog.verify_consistency(
        first=first, second=size, first_root=mth(leaves[:first]), second_root=mth(leaves), proof=hashes
    )


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=0, max_value=50), st.integers(min_value=1, max_value=5000))
def test_a_range_hash_folds_its_complete_parts(slot, width):
    # Proof ranges start where a subtree as wide as them could: at a multiple of
    # the smallest power of two that holds them.
    start = slot * (1 << (width - 1).bit_length())
    parts = tlog.complete_parts(start, start + width)
    assert all(tlog.is_complete(a, b) for a, b in parts)
    assert parts[0][0] == start and parts[-1][1] == start + width
    assert all(parts[i][1] == parts[i + 1][0] for i in range(len(parts) - 1))


# --- Forgeries -----------------------------------------------------------------------------


def _inclusion_forgeries(rng: random.Random, leaves: list[bytes]):
    """(what was forged, the verifier's arguments) for a genuine inclusion proof
    of a random leaf, changed in one way."""
    size = len(leaves)
    index = rng.randrange(size)
    genuine = path(index, leaves)
    root = mth(leaves)
    args = {"leaf": leaves[index], "index": index, "size": size, "proof": genuine, "root": root}
    kinds = ["wrong leaf", "wrong root", "wrong size", "extra hash"]
    if genuine:
        kinds += ["wrong sibling", "truncated path"]
    if len(genuine) > 1 and len(set(genuine)) > 1:
        kinds.append("swapped order")
    if size > 1:
        kinds.append("wrong index")
    kind = rng.choice(kinds)
    forged = dict(args)
    if kind == "wrong leaf":
        forged["leaf"] = tlog.leaf_hash(b"not in the log")
    elif kind == "wrong root":
        forged["root"] = tlog.leaf_hash(b"another root")
    elif kind == "wrong size":
        # The proof of one tree against another tree's (signed) size and root. Against the
        # root of its own tree a proof may verify for a neighbouring size as well: what
        # binds a size to a root is the signed checkpoint, so that is what is forged here.
        other = rng.choice([s for s in (size + 1, size * 2, size - 1, index + 1) if s != size and s > index])
        longer = leaves + leaves_of(other)[size:]
        forged["size"], forged["root"] = other, mth(longer[:other])
    elif kind == "extra hash":
        forged["proof"] = genuine + [tlog.leaf_hash(b"padding")]
    elif kind == "wrong sibling":
        at = rng.randrange(len(genuine))
        forged["proof"] = genuine[:at] + [bytes(32)] + genuine[at + 1 :]
    elif kind == "truncated path":
        forged["proof"] = genuine[:-1]
    elif kind == "swapped order":
        i, j = rng.sample(range(len(genuine)), 2)
        swapped = list(genuine)
        swapped[i], swapped[j] = swapped[j], swapped[i]
        if swapped == genuine:
            swapped.reverse()
        forged["proof"] = swapped
    elif kind == "wrong index":
        forged["index"] = rng.choice([i for i in range(size) if i != index and leaves[i] != leaves[index]])
    return kind, forged


def test_a_thousand_forged_inclusion_proofs_are_all_rejected():
    rng = random.Random(6962)
    kinds = {}
    for _ in range(1000):
        leaves = leaves_of(rng.randrange(1, 200))
        kind, forged = _inclusion_forgeries(rng, leaves)
        kinds[kind] = kinds.get(kind, 0) + 1
        with pytest.raises(tlog.ProofError):
            tlog.verify_inclusion(**forged)
    assert len(kinds) == 8, kinds


def test_a_thousand_forged_consistency_proofs_are_all_rejected():
    rng = random.Random(9162)
    kinds = {}
    for _ in range(1000):
        second = rng.randrange(2, 200)
        first = rng.randrange(1, second)
        leaves = leaves_of(second)
        genuine = proof(first, leaves)
        args = {
            "first": first,
            "second": second,
            "first_root": mth(leaves[:first]),
            "second_root": mth(leaves),
            "proof": genuine,
        }
        kind = rng.choice(
            [
                "wrong hash",
                "truncated",
                "extra hash",
                "wrong first size",
                "wrong second size",
                "wrong first root",
                "forked second root",
                "swapped order",
                "empty",
            ]
        )
        forged = dict(args)
        if kind == "wrong hash":
            at = rng.randrange(len(genuine))
            forged["proof"] = genuine[:at] + [bytes(32)] + genuine[at + 1 :]
        elif kind == "truncated":
            forged["proof"] = genuine[:-1]
        elif kind == "extra hash":
            forged["proof"] = genuine + [bytes(32)]
        elif kind == "wrong first size":
            # As for inclusion: a size is forged together with that tree's root.
            other = first + 1 if first + 1 < second else first - 1
            if other == 0:
                other = second
            forged["first"], forged["first_root"] = other, mth(leaves[:other])
        elif kind == "wrong second size":
            other = second + rng.randrange(1, 5)
            forged["second"], forged["second_root"] = other, mth(leaves + leaves_of(other)[second:])
        elif kind == "wrong first root":
            forged["first_root"] = mth(leaves_of(first + 1)[1:])
        elif kind == "forked second root":
            # The same prefix, another suffix: a fork of the log.
            forked = leaves[:first] + [tlog.leaf_hash(b"fork %d" % i) for i in range(second - first)]
            forged["second_root"] = mth(forked)
        elif kind == "swapped order":
            if len(genuine) < 2 or len(set(genuine)) < 2:
                forged["proof"] = genuine[::-1] + [bytes(32)]
            else:
                forged["proof"] = genuine[::-1]
        elif kind == "empty":
            forged["proof"] = []
        kinds[kind] = kinds.get(kind, 0) + 1
        with pytest.raises(tlog.ProofError):
            tlog.verify_consistency(**forged)
    assert len(kinds) == 9, kinds


def test_malformed_hashes_and_impossible_sizes_are_refused():
    leaves = leaves_of(5)
    with pytest.raises(tlog.ProofError):
        tlog.verify_inclusion(leaf=b"short", index=0, size=5, proof=path(0, leaves), root=mth(leaves))
    with pytest.raises(tlog.ProofError):
        tlog.verify_inclusion(leaf=leaves[0], index=5, size=5, proof=[], root=mth(leaves))
    with pytest.raises(tlog.ProofError):
        tlog.inclusion_ranges(5, 5)
    with pytest.raises(tlog.ProofError):
        tlog.consistency_ranges(6, 5)
    with pytest.raises(tlog.ProofError):
        tlog.verify_consistency(first=6, second=5, first_root=mth(leaves), second_root=mth(leaves), proof=[])
