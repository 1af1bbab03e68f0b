"""A Merkle tree log as Certificate Transparency defines it (RFC 9162, section 2.1):
tree hashes, inclusion proofs and consistency proofs, and their verification.

Leaves are the audit events' content hashes. An auditor holding two signed checkpoints
(tree size, root) can check that one event is in the log (an inclusion proof of about
log2(n) hashes) and that the later log extends the earlier one unchanged (a consistency
proof), without reading the log.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field

EMPTY_ROOT = hashlib.sha256(b"").digest()


class ProofError(ValueError):
    """A proof asked for positions the tree does not have."""


def leaf_hash(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def _split(n: int) -> int:
    """The largest power of two smaller than ``n`` (n > 1)."""
    return 1 << ((n - 1).bit_length() - 1)


def root(leaves: Sequence[bytes]) -> bytes:
    """MTH(D[n]) over leaf hashes (already ``leaf_hash``-ed)."""
    return _subtree(leaves, 0, len(leaves)) if leaves else EMPTY_ROOT


def _subtree(leaves: Sequence[bytes], lo: int, hi: int) -> bytes:
    level = list(leaves[lo:hi])
    # Pair left to right; an odd last node moves up unchanged: the same tree as RFC
    # 9162's recursive split, computed level by level (no recursion over a million).
    while len(level) > 1:
        paired = [node_hash(level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)]
        if len(level) % 2:
            paired.append(level[-1])
        level = paired
    return level[0]


def inclusion_proof(index: int, leaves: Sequence[bytes]) -> list[bytes]:
    """PATH(m, D[n]): the audit path of leaf ``index``."""
    if not 0 <= index < len(leaves):
        raise ProofError(f"leaf {index} is not in a tree of {len(leaves)}")
    return _path(index, leaves, 0, len(leaves))


def _path(m: int, leaves: Sequence[bytes], lo: int, hi: int) -> list[bytes]:
    n = hi - lo
    if n == 1:
        return []
    k = _split(n)
    if m < k:
        return [*_path(m, leaves, lo, lo + k), _subtree(leaves, lo + k, hi)]
    return [*_path(m - k, leaves, lo + k, hi), _subtree(leaves, lo, lo + k)]


def consistency_proof(first: int, leaves: Sequence[bytes]) -> list[bytes]:
    """PROOF(m, D[n]): what proves the tree of ``first`` leaves is a prefix of this one."""
    if not 0 < first <= len(leaves):
        raise ProofError(f"no consistency proof from size {first} to {len(leaves)}")
    return _subproof(first, leaves, 0, len(leaves), True)


def _subproof(m: int, leaves: Sequence[bytes], lo: int, hi: int, whole: bool) -> list[bytes]:
    n = hi - lo
    if m == n:
        return [] if whole else [_subtree(leaves, lo, hi)]
    k = _split(n)
    if m <= k:
        return [*_subproof(m, leaves, lo, lo + k, whole), _subtree(leaves, lo + k, hi)]
    return [*_subproof(m - k, leaves, lo + k, hi, False), _subtree(leaves, lo, lo + k)]


def verify_inclusion(
    *, index: int, size: int, leaf: bytes, proof: Sequence[bytes], expected_root: bytes
) -> bool:
    """RFC 9162 2.1.3.2."""
    if index >= size:
        return False
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            r = node_hash(r, p)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and r == expected_root


def verify_consistency(
    *, first: int, second: int, first_root: bytes, second_root: bytes, proof: Sequence[bytes]
) -> bool:
    """RFC 9162 2.1.4.2."""
    if first <= 0 or first > second:
        return False
    if first == second:
        return not proof and first_root == second_root
    path = list(proof)
    if first & (first - 1) == 0:  # an exact power of two: the first root starts the path
        path.insert(0, first_root)
    if not path:
        return False
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            sr = node_hash(sr, c)
        fn, sn = fn >> 1, sn >> 1
    return fr == first_root and sr == second_root and sn == 0


@dataclass
class Frontier:
    """The roots of the perfect subtrees along the tree's right edge: enough to append
    leaves and compute the root in O(log n) without the leaves (kept with checkpoints)."""

    size: int = 0
    peaks: list[bytes] = field(default_factory=list)  # largest subtree first

    def append(self, leaf: bytes) -> None:
        self.peaks.append(leaf)
        self.size += 1
        merged = self.size
        while merged % 2 == 0:  # each trailing zero bit closes one subtree
            right = self.peaks.pop()
            self.peaks[-1] = node_hash(self.peaks[-1], right)
            merged //= 2

    def root(self) -> bytes:
        if not self.peaks:
            return EMPTY_ROOT
        value = self.peaks[-1]
        for peak in reversed(self.peaks[:-1]):
            value = node_hash(peak, value)
        return value
