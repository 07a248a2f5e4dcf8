"""Merkle tree hashing and proofs as RFC 6962 / RFC 9162 define them: the
arithmetic of a transparency log, with no storage and no Django.

Leaves and interior nodes are hashed with different one-byte prefixes (0x00
and 0x01), so a leaf can never pass for a node. Proofs are lists of 32-byte
hashes; which tree nodes they hold depends only on the leaf index and the tree
sizes, so a store plans the nodes (``inclusion_ranges``,
``consistency_ranges``), fetches or computes each one's hash, and the
verifiers here (the algorithms of RFC 9162 sections 2.1.3.2 and 2.1.4.2)
check them. ``bin/icentrex-verify.py`` repeats the two verifiers with nothing
but the standard library, for people who trust nothing of ours.

A node is named by the leaf range it covers, ``(start, end)``; the nodes a
store keeps are the complete ones: ``end - start`` a power of two and
``start`` a multiple of it.
"""

import hashlib
from collections.abc import Callable, Sequence

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()

Range = tuple[int, int]


class ProofError(ValueError):
    """A proof that does not prove what it claims, or a request no proof can answer."""


def leaf_hash(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def split_point(width: int) -> int:
    """The largest power of two smaller than ``width`` (RFC 6962's k), width > 1."""
    return 1 << ((width - 1).bit_length() - 1)


def is_complete(start: int, end: int) -> bool:
    width = end - start
    return width > 0 and width & (width - 1) == 0 and start % width == 0


def root_from_leaf_hashes(hashes: Sequence[bytes]) -> bytes:
    """MTH over leaf hashes (the tree's root), bottom-up: O(n) time."""
    if not hashes:
        return EMPTY_ROOT
    level = list(hashes)
    while len(level) > 1:
        paired = [node_hash(level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)]
        if len(level) % 2:
            paired.append(level[-1])  # carried up unpaired: RFC 6962's unbalanced right edge
        level = paired
    return level[0]


def complete_parts(start: int, end: int) -> list[Range]:
    """The complete nodes whose hashes make up the hash of ``(start, end)``,
    left to right (as RFC 6962 splits the range, at the largest power of two)."""
    parts = []
    while end - start > 0:
        if is_complete(start, end):
            parts.append((start, end))
            break
        k = split_point(end - start)
        parts.append((start, start + k))
        start += k
    return parts


def fold_parts(hashes: Sequence[bytes]) -> bytes:
    """The hash of a range from its ``complete_parts`` hashes: each part is
    the left child of the rest, so they fold from the right."""
    result = hashes[-1]
    for part in reversed(hashes[:-1]):
        result = node_hash(part, result)
    return result


def inclusion_ranges(index: int, size: int) -> list[Range]:
    """The nodes of the inclusion proof of leaf ``index`` in a tree of
    ``size`` leaves, bottom-up (RFC 9162 2.1.3.1, PATH)."""
    if not 0 <= index < size:
        raise ProofError(f"leaf {index} is not in a tree of {size} leaves")
    path: list[Range] = []
    start, end = 0, size
    while end - start > 1:
        k = split_point(end - start)
        if index < start + k:
            path.append((start + k, end))
            end = start + k
        else:
            path.append((start, start + k))
            start += k
    return path[::-1]


def consistency_ranges(first: int, second: int) -> list[Range]:
    """The nodes of the proof that the tree of ``second`` leaves extends the
    tree of its first ``first`` leaves, bottom-up (RFC 9162 2.1.4.1, PROOF)."""
    if not 0 <= first <= second:
        raise ProofError(f"no consistency proof from size {first} to size {second}")
    if first == 0 or first == second:
        return []
    path: list[Range] = []
    start, end, whole = 0, second, True
    m = first
    while True:
        if m == end - start:
            if not whole:
                path.append((start, end))
            break
        k = split_point(end - start)
        if m <= k:
            path.append((start + k, end))
            end = start + k
        else:
            path.append((start, start + k))
            start += k
            m -= k
            whole = False
    return path[::-1]


def range_hash(start: int, end: int, complete_hash: Callable[[int, int], bytes]) -> bytes:
    """The hash of any range, from the hashes of its complete parts."""
    return fold_parts([complete_hash(a, b) for a, b in complete_parts(start, end)])


def verify_inclusion(*, leaf: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes) -> None:
    """RFC 9162 2.1.3.2: raise ProofError unless ``proof`` shows the leaf hash
    ``leaf`` at ``index`` in the tree of ``size`` leaves whose root is ``root``."""
    if not 0 <= index < size:
        raise ProofError(f"leaf index {index} is outside a tree of {size} leaves")
    _check_hashes([leaf, root, *proof])
    fn, sn, result = index, size - 1, leaf
    for sibling in proof:
        if sn == 0:
            raise ProofError("the proof is longer than the tree is deep")
        if fn & 1 or fn == sn:
            result = node_hash(sibling, result)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            result = node_hash(result, sibling)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError("the proof is shorter than the tree is deep")
    if result != root:
        raise ProofError("the proof does not lead to the root")


def verify_consistency(
    *, first: int, second: int, first_root: bytes, second_root: bytes, proof: Sequence[bytes]
) -> None:
    """RFC 9162 2.1.4.2: raise ProofError unless ``proof`` shows that the tree
    of ``second`` leaves with root ``second_root`` extends the tree of
    ``first`` leaves with root ``first_root``."""
    if not 0 <= first <= second:
        raise ProofError(f"a tree of {second} leaves cannot extend one of {first}")
    _check_hashes([first_root, second_root, *proof])
    if first == second:
        if proof:
            raise ProofError("trees of the same size need an empty proof")
        if first_root != second_root:
            raise ProofError("two trees of the same size have different roots")
        return
    if first == 0:
        # Every tree extends the empty one; there is nothing to prove.
        if proof:
            raise ProofError("the empty tree needs an empty proof")
        if first_root != EMPTY_ROOT:
            raise ProofError("the empty tree has another root")
        return
    if not proof:
        raise ProofError("the proof is empty")
    path = list(proof)
    if first & (first - 1) == 0:
        path.insert(0, first_root)
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    first_result = second_result = path[0]
    for node in path[1:]:
        if sn == 0:
            raise ProofError("the proof is longer than the tree is deep")
        if fn & 1 or fn == sn:
            first_result = node_hash(node, first_result)
            second_result = node_hash(node, second_result)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            second_result = node_hash(second_result, node)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError("the proof is shorter than the tree is deep")
    if first_result != first_root:
        raise ProofError("the proof does not lead to the earlier root")
    if second_result != second_root:
        raise ProofError("the proof does not lead to the later root")


def _check_hashes(hashes: Sequence[bytes]) -> None:
    for value in hashes:
        if not isinstance(value, bytes) or len(value) != HASH_SIZE:
            raise ProofError("every hash is 32 bytes")
