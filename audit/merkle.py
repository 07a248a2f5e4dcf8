import hashlib


def merkle_root(leaves: list[str]) -> str:
    """RFC 6962-style Merkle tree hash over hex leaf hashes (leaf and node
    hashes are domain-separated, so a leaf can never pass for a node)."""
    if not leaves:
        return hashlib.sha256(b"").hexdigest()
    level = [hashlib.sha256(b"\x00" + bytes.fromhex(leaf)).digest() for leaf in leaves]
    while len(level) > 1:
        paired = []
        for i in range(0, len(level) - 1, 2):
            paired.append(hashlib.sha256(b"\x01" + level[i] + level[i + 1]).digest())
        if len(level) % 2:
            paired.append(level[-1])
        level = paired
    return level[0].hex()
