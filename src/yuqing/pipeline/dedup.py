"""The de-duplication stage: updates, exact duplicates and near-duplicates.

For each live item, in batch order (so an item earlier in the same batch
counts as seen), :meth:`Deduplicator.process` decides:

1. **update** -- the item's key, or its canonical URL under another key, is
   already known: the item is a re-fetch of that item (F3: the same articles
   under new guids). ``item.key`` becomes the known key, ``item.is_update``
   is set, and the index is refreshed with the new content.
2. **trivial repost** -- own words (text before the first ``//@``) empty or
   only ``转发微博``/``转发``/``Repost``: never a duplicate of anything; such
   reposts are distinct acts of spreading. Their quoted names go to
   ``item.repost_chain`` (as for every item with a chain).
3. **exact duplicate** -- same :func:`exact_key` as a known item: the text
   reduced to its letters, digits and CJK characters, after attribution and
   copyright tails (``本文转自…``, ``来源：…``, ``如有侵权请联系删除``,
   ``责任编辑：…``, ``——转自…``; textnorm.strip_attribution) and Weibo
   ``[表情]`` codes are removed. So ``学校停课了！`` and ``学校停课了`` (or the
   same with an emoji, or a copyright tail) are one post (issue 19), while two
   different posts sharing a long tail are compared without it.
   ``item.duplicate_of`` = that item's key.
4. **near-duplicate** -- own words of >= ``min_chars`` characters (letters,
   digits, CJK; punctuation, spaces, emoji and tails removed as in 3) whose character ``ngram``-set
   has EXACT Jaccard similarity >= ``threshold`` with a known item's; the
   candidates come from MinHash (datasketch-compatible, ``affine32``) + LSH banding
   (a known item is a candidate when at least 2 of 42 bands of 3 rows agree).

Why bigrams and 0.6: one typo in a 13-character post (F7
``市卫健委回应网传某医院停诊`` / ``市卫键委…``) changes 2 of 12 bigrams (Jaccard
0.71) but 3 of 11 trigrams (0.57); two different notices from the same
office (``…某医院停诊`` / ``…某学校停课``) share half their bigrams (0.5).
Texts shorter than ``min_chars`` (10) get exact matching only: with fewer
than 9 bigrams a single edit moves Jaccard below any threshold that still
separates different messages, and short phrases (``支持``, ``太可怕了``) recur
independently without being copies (MEASURED.md: MinHash recall 63% at
10-49 characters).

Signatures are computed for a whole batch at once with numpy (code points
-> n-gram codes -> MurmurHash3 finaliser -> affine permutations ->
``minimum.reduceat``), bit-identical to datasketch's ``MinHash(scheme=
"affine32")`` fed the same n-gram codes; :class:`BandIndex` applies
MinHashLSH's banding rule with numpy band fingerprints (see its docstring
for why not MinHashLSH itself).

Memory: at most ``capacity`` (default 200,000) items are remembered; when full
the oldest-registered item is forgotten (an update counts as new). Restart:
:meth:`Deduplicator.seed` re-reads recent items from the store, oldest first.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter, OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from yuqing.domain import Item, StoredChange
from yuqing.pipeline.base import BaseStage, StageState
from yuqing.pipeline.textnorm import strip_attribution
from yuqing.pipeline.weibo_ids import repost_chain

TRIVIAL_OWN_WORDS = frozenset(
    {"", "转发微博", "转发", "轉發微博", "轉發", "repost", "转发了", "转"}
)
_NOT_WORD = re.compile(r"[\W_]+")
_EMOTICON = re.compile(r"\[[^\[\]\s]{1,10}\]")  # Weibo's [哈哈], [doge]
_FMIX64 = (np.uint64(33), np.uint64(0xFF51AFD7ED558CCD), np.uint64(0xC4CEB9FE1A85EC53))
_CHUNK = 128
SeedRecord = tuple[str, str, str | None, str]
#: what :meth:`Deduplicator.prepare` computes of a text: (own words, quoted names), the
#: exact key, the band fingerprints (None when too short for near-duplicates)
_Signed = tuple[tuple[str, list[str]], bytes, list[int] | None]


@dataclass(slots=True)
class _Record:
    """What is remembered of one registered item."""

    exact_key: bytes | None
    canonical_url: str | None
    words: str | None  # own words, kept while the item is in the band index


def own_words(match_text: str) -> tuple[str, list[str]]:
    """Return ``(words, quoted_names)``: the own words of a text without punctuation/spaces.

    ``words`` keeps letters, digits and CJK characters of the text before the
    first ``//@`` (see :func:`words_of`); ``quoted_names`` are the ``//@`` names
    (weibo_ids.repost_chain).
    """
    own, names = repost_chain(match_text)
    return words_of(own), names


def words_of(text: str) -> str:
    """Return the letters, digits and CJK characters of ``text`` once tails and ``[表情]`` go."""
    return _NOT_WORD.sub("", _EMOTICON.sub("", strip_attribution(text)))


def exact_key(match_text: str) -> bytes:
    """Return the 16-byte BLAKE2b digest of the :func:`words_of` of a whole text, chain included."""
    return hashlib.blake2b(words_of(match_text).encode("utf-8"), digest_size=16).digest()


def ngram_set(words: str, n: int) -> set[str]:
    """Return the set of character ``n``-grams of ``words`` (``{words}`` when shorter)."""
    if len(words) <= n:
        return {words}
    return {words[i : i + n] for i in range(len(words) - n + 1)}


def jaccard(a: set[str], b: set[str]) -> float:
    """Return |a & b| / |a | b| (0.0 for two empty sets)."""
    union = len(a | b)
    return len(a & b) / union if union else 0.0


class Signer:
    """Computes MinHash signatures of many texts at once (numpy, datasketch-compatible).

    ``ngram`` (1-3) is the shingle length in characters; signatures have
    ``num_perm`` uint32 values, equal to datasketch ``MinHash(num_perm, seed,
    scheme="affine32", hashfunc=h)`` updated with the integer n-gram codes
    ``sum(ord(c_k) << 21*(n-1-k))``, where ``h`` is the low 32 bits of the
    64-bit MurmurHash3 finaliser (:func:`code_hash`).
    """

    def __init__(self, ngram: int = 2, num_perm: int = 128, seed: int = 1) -> None:
        if not 1 <= ngram <= 3:
            raise ValueError(f"ngram must be 1, 2 or 3, got {ngram}")
        self.ngram, self.num_perm, self.seed = ngram, num_perm, seed
        a, b = affine32_permutations(num_perm, seed)
        self._a, self._b = a[:, None], b[:, None]

    def codes(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """Return (n-gram codes of all texts concatenated, start index of each text's codes).

        Every text must have at least ``ngram`` characters and no NUL.
        """
        n = self.ngram
        cps = np.frombuffer("\x00".join(texts).encode("utf-32-le"), dtype=np.uint32).astype(
            np.uint64
        )
        width = len(cps) - n + 1
        codes = cps[:width].copy()
        valid = cps[:width] != 0
        for k in range(1, n):
            nxt = cps[k : k + width]
            codes = (codes << np.uint64(21)) | nxt
            valid &= nxt != 0
        counts = np.fromiter((len(t) - n + 1 for t in texts), dtype=np.int64, count=len(texts))
        starts = np.zeros(len(texts), dtype=np.int64)
        np.cumsum(counts[:-1], out=starts[1:])
        return codes[valid], starts

    def sign(self, texts: list[str]) -> np.ndarray:
        """Return the signatures of ``texts``, shape ``(len(texts), num_perm)``, dtype uint32."""
        out = np.empty((len(texts), self.num_perm), dtype=np.uint32)
        for lo in range(0, len(texts), _CHUNK):
            chunk = texts[lo : lo + _CHUNK]
            codes, starts = self.codes(chunk)
            hv = _fmix32(code_hash(codes))
            phv = self._a * hv[None, :]  # (num_perm, shingles), wraps mod 2^32
            phv += self._b
            out[lo : lo + len(chunk)] = np.minimum.reduceat(phv, starts, axis=1).T
        return out


def affine32_permutations(num_perm: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Return the ``(a, b)`` uint32 arrays of datasketch 2.0's ``affine32`` permutations
    (``MinHash(num_perm, seed, scheme="affine32").permutations``: ``a`` odd, drawn from
    ``RandomState(seed)`` as there), without importing datasketch, whose package imports
    scipy.integrate, scipy.optimize and scipy.special (37 MB of a worker's memory)."""
    gen = np.random.RandomState(seed)
    a = gen.randint(0, 1 << 31, num_perm, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = gen.randint(0, 1 << 32, num_perm, dtype=np.uint32)
    return a, b


def code_hash(codes: np.ndarray) -> np.ndarray:
    """Return the low 32 bits of MurmurHash3's 64-bit finaliser of ``codes`` (uint64 -> uint32)."""
    shift, m1, m2 = _FMIX64
    hv: np.ndarray = codes ^ (codes >> shift)
    hv *= m1
    hv ^= hv >> shift
    hv *= m2
    hv ^= hv >> shift
    return hv.astype(np.uint32)


def _fmix32(hv: np.ndarray) -> np.ndarray:
    """Return the MurmurHash3 32-bit finaliser of ``hv`` (datasketch's affine32 pre-mix)."""
    out: np.ndarray = hv ^ (hv >> np.uint32(16))
    out *= np.uint32(0x85EBCA6B)
    out ^= out >> np.uint32(13)
    out *= np.uint32(0xC2B2AE35)
    out ^= out >> np.uint32(16)
    return out


class BandIndex:
    """LSH banding of signatures: ``bands`` bands of ``rows`` values each.

    Two signatures are candidates when all rows of at least ``min_bands``
    bands agree (datasketch's ``MinHashLSH(params=(bands, rows))`` rule is
    ``min_bands=1``); a band is reduced to one 64-bit fingerprint for a whole
    batch in numpy. Measured on 70-character posts, datasketch's per-band ``bytes``
    keys and storage layer took 0.13 ms per query+insert at 32 bands, nine
    times the batched signing (14 us); this index about a third of that. A
    fingerprint collision only adds a candidate, which the exact Jaccard
    check then rejects.

    Memory: each indexed key has a slot (its number in insertion order); its
    ``bands`` entries (band fingerprint, band, slot) live in three numpy arrays
    sorted by fingerprint, 13 bytes an entry (546 bytes a key at 42 bands), found
    through a directory of where each value of the fingerprints' top bits starts
    (two to four entries a bucket, 1 to 2 bytes an entry). The entries of the last
    keys indexed (fewer than ``MERGE_KEYS``) wait in one dict per band and are merged
    into the arrays together. A removed key's slot is marked dead; its entries go at
    the next merge. (One dict per band holding every key took about 130 MB for 50,000
    keys by ``tracemalloc``; the arrays take 28 MB.)
    """

    #: keys whose entries wait in the per-band dicts before a merge into the arrays
    MERGE_KEYS = 2048

    def __init__(self, bands: int, rows: int, seed: int = 1, min_bands: int = 1) -> None:
        self.bands, self.rows, self.min_bands = bands, rows, min_bands
        rng = np.random.default_rng(seed)
        self._mult = rng.integers(0, 1 << 63, rows, dtype=np.uint64) * np.uint64(2) + np.uint64(1)
        self._keys: list[str | None] = []  # slot -> key; None once removed
        self._slots: dict[str, int] = {}  # key -> its slot
        self._alive = bytearray()  # slot -> 1 while its key is indexed
        self._fp = np.empty(0, dtype=np.uint64)  # merged entries, sorted by fingerprint
        self._band = np.empty(0, dtype=np.uint8)
        self._slot = np.empty(0, dtype=np.int32)
        # fingerprints' top bits -> where their entries start in the arrays (and end)
        self._shift = np.uint64(63)
        self._dir = np.zeros(3, dtype=np.int32)
        # entries not merged yet: per band, fingerprint -> slot (a list from the second on)
        self._recent: list[dict[int, int | list[int]]] = [{} for _ in range(bands)]
        self._pending: list[tuple[int, np.ndarray]] = []  # (slot, its fingerprints)

    def __len__(self) -> int:
        """Return how many keys are indexed."""
        return len(self._slots)

    def fingerprints(self, signatures: np.ndarray) -> np.ndarray:
        """Return the band fingerprints of ``signatures`` (N x num_perm): (N, bands) uint64."""
        n = signatures.shape[0]
        banded = signatures[:, : self.bands * self.rows].reshape(n, self.bands, self.rows)
        fps: np.ndarray = (banded.astype(np.uint64) * self._mult).sum(axis=2, dtype=np.uint64)
        return fps

    def query(self, fps: list[int]) -> set[str]:
        """Return the keys sharing at least ``min_bands`` band fingerprints with ``fps``."""
        slots = self._merged_hits(fps)
        for table, fp in zip(self._recent, fps, strict=False):
            bucket = table.get(fp)
            if bucket is None:
                continue
            if isinstance(bucket, int):
                slots.append(bucket)
            else:
                slots.extend(bucket)
        if not slots:
            return set()
        keys = self._keys
        found = {keys[s] for s, n in Counter(slots).items() if n >= self.min_bands}
        found.discard(None)
        return found  # type: ignore[return-value]

    def _merged_hits(self, fps: list[int]) -> list[int]:
        """Return the slot of every merged entry equal to ``fps`` in its band (a slot once
        per band it shares)."""
        merged = self._fp
        if not merged.size:
            return []
        q = np.array(fps, dtype=np.uint64)
        start = self._dir[(q >> self._shift).astype(np.intp)]
        lens = self._dir[(q >> self._shift).astype(np.intp) + 1] - start
        total = int(lens.sum())
        if not total:
            return []
        # every merged entry in the buckets of the query's fingerprints, with its band
        band = np.repeat(np.arange(len(q), dtype=np.uint8), lens)
        at = np.repeat(start - np.cumsum(lens) + lens, lens) + np.arange(total)
        same = (merged[at] == q[band]) & (self._band[at] == band)
        hits: list[int] = self._slot[at[same]].tolist()
        return hits

    def insert(self, key: str, fps: list[int]) -> None:
        """Index ``key`` under its band fingerprints ``fps`` (replacing what it had)."""
        self.remove(key)
        slot = len(self._keys)
        self._keys.append(key)
        self._slots[key] = slot
        self._alive.append(1)
        for table, fp in zip(self._recent, fps, strict=False):
            bucket = table.get(fp)
            if bucket is None:
                table[fp] = slot
            elif isinstance(bucket, int):
                table[fp] = [bucket, slot]
            else:
                bucket.append(slot)
        self._pending.append((slot, np.array(fps, dtype=np.uint64)))
        if len(self._pending) >= self.MERGE_KEYS:
            self._merge()

    def remove(self, key: str) -> None:
        """Remove ``key`` (no-op where absent)."""
        slot = self._slots.pop(key, None)
        if slot is not None:
            self._keys[slot] = None
            self._alive[slot] = 0

    def _merge(self) -> None:
        """Move the waiting entries into the sorted arrays, dropping those of removed keys;
        renumber the slots when most are dead."""
        alive = np.frombuffer(bytes(self._alive), dtype=np.uint8).astype(bool)
        new_slot = np.repeat(np.fromiter((s for s, _ in self._pending), dtype=np.int32,
                                         count=len(self._pending)), self.bands)
        new_fp = np.concatenate([f for _, f in self._pending])
        new_band = np.tile(np.arange(self.bands, dtype=np.uint8), len(self._pending))
        self._recent = [{} for _ in range(self.bands)]
        self._pending = []
        keep = alive[new_slot]
        order = np.argsort(new_fp[keep], kind="stable")
        new_fp, new_band, new_slot = (a[keep][order] for a in (new_fp, new_band, new_slot))
        keep = alive[self._slot]
        if not keep.all():
            self._fp, self._band, self._slot = self._fp[keep], self._band[keep], self._slot[keep]
        at = np.searchsorted(self._fp, new_fp, side="right") + np.arange(new_fp.size)
        old = np.ones(self._fp.size + new_fp.size, dtype=bool)
        old[at] = False
        self._fp, self._band, self._slot = (_merged(a, b, at, old) for a, b in (
            (self._fp, new_fp), (self._band, new_band), (self._slot, new_slot)))
        bits = max(1, self._fp.size.bit_length() - 2)  # two to four entries a bucket
        self._shift = np.uint64(64 - bits)
        self._dir = np.zeros((1 << bits) + 1, dtype=np.int32)
        self._dir[1:] = np.cumsum(np.bincount((self._fp >> self._shift).astype(np.intp),
                                              minlength=1 << bits))
        if len(self._keys) > 2 * len(self._slots) + self.MERGE_KEYS:
            renumber = (np.cumsum(alive) - 1).astype(np.int32)
            self._slot = renumber[self._slot]
            kept = [k for k in self._keys if k is not None]
            self._keys = list(kept)
            self._slots = {k: i for i, k in enumerate(kept)}
            self._alive = bytearray(b"\x01") * len(kept)


def _merged(old: np.ndarray, new: np.ndarray, at: np.ndarray, is_old: np.ndarray) -> np.ndarray:
    """Return ``old`` and ``new`` in one array: ``new`` at the positions ``at``, ``old`` at
    the positions ``is_old`` marks."""
    out = np.empty(is_old.size, dtype=old.dtype)
    out[at] = new
    out[is_old] = old
    return out


#: how many of the items stored last warm the de-duplicator at start-up (a few seconds)
WARM_ITEMS = 50_000


class Deduplicator(BaseStage):
    """The ``dedup`` stage (see module doc for the rules and their sources).

    ``threshold`` is the exact n-gram Jaccard a near-duplicate needs;
    ``lsh_params`` (bands, rows) and ``min_bands`` pick candidates: at least 2
    of 42 bands of 3 rows (126 of 128 permutations) misses a pair at Jaccard
    0.60 with probability 4.6e-4 and 0.65 with 2.4e-5 (the binomial tail
    P(fewer than 2 of 42 bands agree), a band agreeing with probability J^3),
    and makes a pair at 0.3 a candidate with 0.31. Datasketch's rule of one
    band of 32 x 4 misses 1.2% at 0.60 (measured: 41 of 6,000 pairs of
    200-character posts at 0.60-0.65; this rule 1; docs/FIELD_CASES.md F20.3) and checked
    more candidates (0.55 per query against 15,665 Weibo posts; this rule 0.44).
    """

    name = "dedup"
    shared = True

    def __init__(
        self,
        *,
        ngram: int = 2,
        num_perm: int = 128,
        threshold: float = 0.6,
        lsh_params: tuple[int, int] = (42, 3),
        min_bands: int = 2,
        min_chars: int = 10,
        capacity: int = 200_000,
    ) -> None:
        if lsh_params[0] * lsh_params[1] > num_perm:
            raise ValueError(f"lsh_params {lsh_params} need more than num_perm={num_perm} values")
        self.threshold, self.min_chars, self.capacity = threshold, max(min_chars, ngram), capacity
        self._signer = Signer(ngram=ngram, num_perm=num_perm)
        self._index = BandIndex(*lsh_params, min_bands=min_bands)
        self._records: OrderedDict[str, _Record] = OrderedDict()
        self._by_key: dict[bytes, str] = {}
        self._by_url: dict[str, str] = {}
        self._prepared: dict[str, _Signed] = {}

    def __len__(self) -> int:
        """Return how many items are remembered."""
        return len(self._records)

    def prepare(self, items: list[Item], stored: Sequence[StoredChange]) -> None:
        """Compute the own words, exact keys and band fingerprints of the live ``items`` and
        of the rows ``stored`` by others for the next :meth:`catch_up` and :meth:`process`
        (needs no memory: run before the lock)."""
        self._prepared = self._sign_texts([ch.match_text for ch in stored]
                                          + [it.match_text for it in items
                                             if it.rejected is None])

    def process(self, items: list[Item]) -> None:
        """Mark updates and duplicates among the live ``items`` in place (see module doc)."""
        batch = [it for it in items if it.rejected is None]
        prepared, self._prepared = self._prepared, {}
        missing = [it.match_text for it in batch if it.match_text not in prepared]
        if missing:
            prepared.update(self._sign_texts(missing))
        for item in batch:
            (words, names), exact, bands = prepared[item.match_text]
            if names:
                item.repost_chain = list(names)
            elif item.parent_id is not None and item.root_id is None:
                item.root_id = item.parent_id  # a direct repost/reply: its parent is the root
            self._decide(item, exact, None if words.lower() in TRIVIAL_OWN_WORDS else words,
                         bands)

    def _sign_texts(self, texts: list[str]) -> dict[str, _Signed]:
        """Return ``{match_text: ((own words, quoted names), exact key, band fingerprints or
        None)}`` of ``texts`` (pure: the same texts give the same values in every process)."""
        distinct = list(dict.fromkeys(texts))
        if not distinct:
            return {}
        own = [own_words(t) for t in distinct]
        bands_of = self._band_eligible([None if w.lower() in TRIVIAL_OWN_WORDS else w
                                        for w, _ in own])
        return {t: (own[i], exact_key(t), bands_of.get(i)) for i, t in enumerate(distinct)}

    def open(self, state: StageState) -> None:
        """Remember the last WARM_ITEMS stored items, so a restart still recognises them."""
        if state.fingerprints is not None:
            self.seed(state.fingerprints.recent_fingerprints(WARM_ITEMS))

    def seed(self, records: Iterable[SeedRecord]) -> int:
        """Register stored items ``(key, content_hash, canonical_url, match_text)``, oldest first.

        Returns how many were registered. Used at start-up so that a restart
        still recognises what it stored before. The exact key is computed
        from ``match_text`` (:func:`exact_key`); ``content_hash`` is not used.
        """
        return self._register_rows((key, canon, match_text, False)
                                   for key, _chash, canon, match_text in records)

    def catch_up(self, changes: Sequence[StoredChange]) -> None:
        """Register the items other processes stored since the last batch, as
        :meth:`process` registered them there: a new copy (``duplicate_of`` set) and a
        trivial repost by key and URL only, anything else (an update too) indexed."""
        self._register_rows((ch.key, ch.canonical_url, ch.match_text,
                             ch.new and ch.duplicate_of is not None) for ch in changes)

    def _register_rows(self, rows: Iterable[tuple[str, str | None, str, bool]]) -> int:
        """Register ``(key, canonical_url, match_text, is_copy)`` rows in order, replacing
        what was known of each key; return how many."""
        count = 0
        chunk: list[tuple[str, str | None, str, bool]] = []
        for row in rows:
            chunk.append(row)
            if len(chunk) >= _CHUNK:
                count += self._register_chunk(chunk)
                chunk = []
        return count + self._register_chunk(chunk)

    def _register_chunk(self, rows: list[tuple[str, str | None, str, bool]]) -> int:
        """Sign (unless prepared) and register one chunk of rows; return its size."""
        prepared = self._prepared
        signed = self._sign_texts([text for _, _, text, _ in rows if text not in prepared])
        for key, canon, text, is_copy in rows:
            (words, _), exact, bands = prepared.get(text) or signed[text]
            self._forget(key)
            if is_copy or words.lower() in TRIVIAL_OWN_WORDS:
                self._register(key, None, canon, None, None)
            else:
                self._register(key, exact, canon, words, bands)
        return len(rows)

    def _band_eligible(self, words: list[str | None]) -> dict[int, list[int]]:
        """Return {index: band fingerprints} for the ``words`` long enough for near-dup."""
        signed = [i for i, w in enumerate(words) if w is not None and len(w) >= self.min_chars]
        if not signed:
            return {}
        fps = self._index.fingerprints(self._signer.sign([words[i] or "" for i in signed])).tolist()
        return dict(zip(signed, fps, strict=False))

    def _decide(
        self, item: Item, exact: bytes, words: str | None, bands: list[int] | None
    ) -> None:
        """Apply the update / exact / near rules to one item and register it."""
        known = (
            item.key if item.key in self._records else self._by_url.get(item.canonical_url or "")
        )
        if known is not None:
            item.key, item.is_update = known, True
            self._forget(known)
        elif words is not None:
            item.duplicate_of = self._by_key.get(exact) or self._near(words, bands)
        if item.duplicate_of is not None or words is None:
            self._register(item.key, None, item.canonical_url, None, None)
        else:
            self._register(item.key, exact, item.canonical_url, words, bands)

    def _near(self, words: str, bands: list[int] | None) -> str | None:
        """Return the key of the most similar known item at or above the threshold, or None."""
        if bands is None:
            return None
        candidates = self._index.query(bands)
        if not candidates:
            return None
        n = self._signer.ngram
        mine = ngram_set(words, n)
        best, best_score = None, self.threshold
        for key in sorted(candidates):  # sorted: ties go to the same key in every run
            other = self._records[key].words
            score = jaccard(mine, ngram_set(other, n)) if other else 0.0
            if score > best_score or (best is None and score >= best_score):
                best, best_score = key, score
        return best

    def _register(
        self,
        key: str,
        exact: bytes | None,
        canon: str | None,
        words: str | None,
        bands: list[int] | None,
    ) -> None:
        """Remember ``key``; index its exact key, URL and (when banded) its own words."""
        self._records[key] = _Record(exact, canon, words if bands is not None else None)
        if exact:
            self._by_key.setdefault(exact, key)
        if canon:
            self._by_url.setdefault(canon, key)
        if bands is not None:
            self._index.insert(key, bands)
        while len(self._records) > self.capacity:
            self._forget(next(iter(self._records)))

    def _forget(self, key: str) -> None:
        """Drop ``key`` from every index (no-op when unknown)."""
        record = self._records.pop(key, None)
        if record is None:
            return
        if record.exact_key and self._by_key.get(record.exact_key) == key:
            del self._by_key[record.exact_key]
        if record.canonical_url and self._by_url.get(record.canonical_url) == key:
            del self._by_url[record.canonical_url]
        self._index.remove(key)
