"""The ``events`` stage: online (single-pass) event clustering of new items.

Each live item, in batch order, joins an existing event or opens a new one;
``item.event_id`` is set. Rules, first that applies:

1. **update** -- a re-fetched item keeps the event its key already has.
2. **link** -- an item joins the event of its ``root_id``/``parent_id``
   (reposts and replies; a parent that was never collected is remembered, so
   its other reposts, and the parent itself if it arrives late, join the same
   event), of a Weibo status URL in its text (numeric or base-62 id, F12), or
   of the item it duplicates (``duplicate_of``, from the dedup stage) when its
   own words have ``MIN_DUPLICATE_CHARS`` or more.
3. **similarity** -- the cosine between the item's IDF-weighted character
   bigram vector (pipeline/event_terms.py; traditional and simplified texts
   share terms), restricted to the terms some earlier item had and scaled to
   unit length again, and an event's centroid is at least ``threshold``, the event
   being open (its items within ``window_hours`` of this one). The item's account's
   boilerplate (the beginning or end it shares with the account's recent posts: a
   signature, a header, a hashtag, a 来源 line; pipeline/event_boilerplate.py) is
   left out of its vector, so different happenings never merge by it; so are the office's
   subject words (the region and subject words of its monitoring schemes: 青山县,
   县人民医院), which every post it watches shares whatever it tells of: an office's
   fire, fight and overcharge at one hospital share its name and little else
   (pipeline/event_subject.py). Candidates come
   from an inverted index of open events' centroid terms: the item's
   ``QUERY_TERMS`` most specific indexed terms (held by the fewest open events;
   terms on more than ``MAX_POSTING`` events say nothing and are skipped) vote,
   an event must share ``MIN_VOTES`` of them, and the ``MAX_CANDIDATES`` sharing
   most are scored. (Choosing the query terms by IDF instead picked bigrams
   shared by chance with one unrelated post and missed the event's own words.)
   The item must also share ``MIN_SHARED`` terms with the centroid: two chatty
   posts that share one phrase (``不好意思``, ``太快了``) are not one matter;
   one term fewer will do at ``STRONG`` times the cosine needed (a headline
   that names a place and what happened there: ``兰州…封城了``).
   An item with fewer than ``SHORT_TERMS`` seen terms (a headline) needs the
   threshold times sqrt(SHORT_TERMS / terms): two short titles on one template
   (``为什么…``) otherwise match by chance. The cosine with one of the event's
   latest ``MEMBERS`` members counts when higher than the centroid's (same
   threshold and shared terms): a short retelling of what one teller added is
   close to that member and far from the event's average (the centroid keeps
   the words most members share). Member vectors are rebuilt at start from the
   recent items (weighed as they were placed when the warm-up covers the history). An event that
   quotes, through a ``//@name:`` chain, an author seen in an open event is
   joined at half the threshold. An item the incidents stage calls an incident of a type
   never joins an event whose typed incident reports are all of another category (事故灾难,
   公共卫生事件 ...): the accidents, poisonings and assaults of one county share its
   place and institution names, and chained through them would be one event and one alert.
4. otherwise the item **opens** a new event, id ``E`` + 12 hex of SHA-1(key).

After a batch, events whose last item is more than ``window_hours`` before
the batch's newest dated item are closed (un-indexed); the clock is the batch's,
not the newest item ever seen, so a back-filled batch of old posts still finds
the events its earlier batches opened, and an item without a readable date
(stored at its fetch time) closes nothing.

After a batch, the items of an event whose volume spikes in the newest
item's hour (pipeline/spikes.py rule, ``[events] spike_*`` settings, hourly
counts kept per event) get ``item.spike = True`` for the alert rules.

Deterministic: the same items in the same order give the same events in every
process (ties go by event id, never by the hash order of a set).
Cost: O(terms + candidates x centroid terms) per item, no re-clustering.
State: when the runtime hands it an event state at ``open`` (the
``EventStatePort`` of pipeline/base.py, implemented by the store's events
repository), the stage loads open events and recent key -> event links at
start-up, resolves links to items it has forgotten with one query per batch,
and saves the events a batch touched in one transaction, so a restart resumes
where it stopped (the accounts' recent posts, for their boilerplate, included).
"""

from __future__ import annotations

import hashlib
import heapq
import math
import re
from collections import Counter, OrderedDict
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from yuqing.config import Config, EventsConfig
from yuqing.domain import Event, Item, StoredChange
from yuqing.pipeline.base import BaseStage, EventStatePort, StageState
from yuqing.pipeline.event_background import background_df
from yuqing.pipeline.event_boilerplate import AccountBoilerplate, account
from yuqing.pipeline.event_state import (
    add_item,
    is_spiking,
    keywords,
    own_text,
    title_of,
    update_level,
)
from yuqing.pipeline.event_subject import SubjectWords
from yuqing.pipeline.event_terms import (
    DocumentFrequency,
    PackedVector,
    pack,
    run_terms,
    term_runs,
    unpack,
)
from yuqing.pipeline.heat import media_weights
from yuqing.pipeline.incidents import TYPES
from yuqing.pipeline.weibo_ids import mid_from_url

QUERY_TERMS = 16  # the item's most specific indexed terms that vote for candidates
QUOTED_VOTES = 1_000  # votes given to the event of a quoted author (always a candidate)
#: terms on more open events do not vote (100 before: same figures, more votes to count)
MAX_POSTING = 50
MAX_CANDIDATES = 12
#: centroid terms an item must share to join (sentiment3 chat: 3 pairs up 26 %, 4: 18 %)
MIN_SHARED = 4
MIN_VOTES = 2  # query terms a candidate event must share
STRONG = 1.5  # an item sharing one term fewer than MIN_SHARED joins at this times the cosine needed
#: Rule 3 scores an item by its SEEN terms only: a term no earlier item had is in no
#: centroid, so it added nothing to any cosine but its share of the item's norm (a long
#: post's own commentary diluted its cosine with the event it quotes). That cosine is the
#: item's cosine divided by the norm of its seen part, at most 1, so the threshold keeps
#: its meaning (0.999 still asks for the same words in the same proportions). After a
#: restart or a vocabulary pruning a centroid term may be unknown to the document
#: frequencies: it is then left out, as if new.
#: items with fewer seen terms need a higher cosine (sqrt rule; tuned on CHECKED dev)
SHORT_TERMS = 55
KEY_MEMORY = 500_000  # key -> event links remembered
#: the latest members whose vectors an open event keeps: an item may match one of them
#: instead of the centroid (tuned on CHECKED dev: 1 0.941, 3 0.954, 6 0.958, 12 0.958)
MEMBERS = 6
WARM_ITEMS = 20_000  # recent items read at start-up (links and document frequencies)
MIN_DUPLICATE_CHARS = 10  # shorter copies ("顶", "[怒]") recur in unrelated threads
OPENER_SCORE = 0.5  # a later member more central than this becomes the representative
#: open events whose centroid rule 3 keeps unpacked, the last scored (on sentiment3 chatter
#: 65 % of the centroids scored; each about 1 kB)
CENTROID_CACHE = 1_024
HEAT_DECIMALS = 3  # an event's heat is kept (and stored) to this many decimals
_WEIBO_URL = re.compile(r"(?:https?://)?(?:[\w-]+\.)?weibo\.(?:com|cn)/[^\s\"'<>，。]+")


_NEVER = datetime.min.replace(tzinfo=UTC)  # the watermark before any dated item


def event_id_for(key: str) -> str:
    """Return the id of the event opened by the item ``key``: ``E`` + 12 hex of SHA-1."""
    return "E" + hashlib.sha1(key.encode("utf-8")).hexdigest()[:12]


def _same_kind(event: Event, incident: dict[str, Any]) -> bool:
    """False when ``incident`` (an item's, pipeline/incidents.py) has a type and every
    incident report of ``event`` that has one is of another category: a traffic accident,
    a food poisoning and an assault in one county share its place and institution names,
    yet are different happenings (rule 3 of the module doc). A category guessed from
    generic words alone (死亡, 受伤: type None) decides nothing: a retelling of a fight
    that says only 推倒 is no evidence of another happening."""
    if incident["type"] is None:
        return True
    kinds = event.counts.get("incident", {})  # type, or category when none -> reports
    typed = {TYPES[kind] for kind in kinds if kind in TYPES}
    return not typed or incident["category"] in typed


class EventClusterer(BaseStage):
    """The ``events`` stage (module doc). ``opened`` counts events opened by the last batch."""

    name = "events"
    shared = True

    def __init__(self, config: EventsConfig | None = None,
                 subject: SubjectWords | None = None) -> None:
        """Build the stage with ``config`` (default settings when None) and the office's
        ``subject`` words (none when None), no event yet."""
        self.config = config or EventsConfig()
        self.subject = subject or SubjectWords(())
        self.window = timedelta(hours=self.config.window_hours)
        self.threshold = self.config.threshold
        self.weights = media_weights(self.config.media_weights)
        self.df = DocumentFrequency(*background_df())
        self.boilerplate = AccountBoilerplate()
        self.events: dict[str, Event] = {}
        self.opened = 0
        # term -> the open events whose centroid has it: the id itself while it is one (most
        # terms; a one-element set took 216 bytes), a tuple of ids up to MAX_POSTING (a set
        # of 5 took 728), a set beyond (those terms never vote: only their size is read)
        self._postings: dict[str, str | tuple[str, ...] | set[str]] = {}
        # event id -> its latest members' vectors, oldest first (a deque took 624 bytes)
        self._members: dict[str, tuple[PackedVector, ...]] = {}
        self._open: set[str] = set()
        self._key_event: OrderedDict[str, str] = OrderedDict()
        self._author_event: OrderedDict[str, str] = OrderedDict()
        self._watermark = _NEVER
        self._dirty: set[str] = set()
        self._state: EventStatePort | None = None
        self._prepared: dict[str, tuple[list[str], list[str]]] = {}
        # event id -> (its weights array, its centroid as a dict) for the last events scored
        self._centroids: OrderedDict[str, tuple[object, dict[str, float]]] = OrderedDict()

    @classmethod
    def from_config(cls, config: Config) -> EventClusterer:
        """Build the stage from the ``[events]`` section of ``config``, with the region and
        subject words of its ``[[schemes]]`` as the office's subject."""
        return cls(config.events, SubjectWords.of_schemes(config.schemes))

    def _runs(self, match_text: str) -> list[str]:
        """Return the term runs of ``match_text`` without the office's subject words."""
        return term_runs(self.subject.strip(match_text))

    def _text_terms(self, match_text: str) -> tuple[list[str], list[str]]:
        """Return the term runs of ``match_text`` (:meth:`_runs`) and their terms."""
        runs = self._runs(match_text)
        return runs, run_terms(runs)

    # ----- persistence ---------------------------------------------------------------------

    def open(self, state: StageState) -> None:
        """Resume from ``state.events`` when the runtime hands one: load open events, the
        links of recent items and the open events' latest members; from now on every
        batch's events are saved there."""
        if state.events is None:
            return
        self._state = state.events
        for event in self._state.open_events(self.window):
            self._remember(event)
            self._watermark = max(self._watermark, event.last_at)
        for key, event_id, match_text, source, author in self._state.recent_links(WARM_ITEMS):
            runs = self._runs(match_text)
            vec, _ = self.df.add_and_weigh(
                run_terms(runs), self.boilerplate.terms(account(source, author), runs))
            if event_id in self._open:  # its latest members, as when they were placed
                self._add_member(event_id, pack(vec))
            self._link(key, event_id)

    def catch_up(self, changes: Sequence[StoredChange]) -> None:
        """Take in the items other processes placed since the last batch, as if this
        stage had placed them: their terms counted (document frequencies, account
        boilerplate), their vectors kept as their events' latest members, their links
        remembered, their events reloaded from the store, and
        events closed by the newest dated one. An update changes nothing here, as in
        :meth:`_place`."""
        touched: set[str] = set()
        dated: list[datetime] = []
        for ch in changes:
            if not ch.new or ch.event_id is None:
                continue
            runs, terms = self._prepared.get(ch.match_text) or self._text_terms(ch.match_text)
            vec, _ = self.df.add_and_weigh(
                terms, self.boilerplate.terms(account(ch.source, ch.author), runs))
            self._add_member(ch.event_id, pack(vec))
            self._link_member(ch.key, ch.source, (ch.root_id, ch.parent_id), ch.author,
                              ch.event_id)
            touched.add(ch.event_id)
            if ch.dated:
                dated.append(ch.published_at)
        if not touched:
            return
        self._watermark = _NEVER
        if self._state is not None:
            for event in self._state.load(touched):
                self._forget_terms(event.id)
                self.events.pop(event.id, None)
                self._remember(event)
        self._dirty = {e for e in touched if e in self.events}
        if dated:
            self._watermark = max(dated)
            self._close_old()

    def stats(self) -> dict[str, int]:
        """Return ``{"opened_events": n}``: the events the last batch opened."""
        return {"opened_events": self.opened}

    def _prefetch(self, batch: list[Item]) -> None:
        """Load, with one query each, the links and events this batch needs and memory lacks."""
        assert self._state is not None
        wanted = {k for it in batch for k in self._link_keys(it) if k not in self._key_event}
        for key, event_id in self._state.item_events(wanted).items():
            self._link(key, event_id)
        needed = {self._key_event[k] for it in batch for k in self._link_keys(it)
                  if k in self._key_event} - self.events.keys()
        for event in self._state.load(needed):
            self._remember(event)

    def _save(self) -> None:
        assert self._state is not None
        changed = [self.events[e] for e in self._dirty if e in self.events]
        for event in changed:
            event.keywords = keywords(event, self.df)
            # as stored, so a process reloading the event (catch_up) holds the same heat
            event.heat = round(event.heat, HEAT_DECIMALS)
        self._state.save(changed)

    # ----- the stage -----------------------------------------------------------------------

    def prepare(self, items: list[Item], stored: Sequence[StoredChange]) -> None:
        """Compute the term runs and terms of the live ``items`` and of the new rows
        ``stored`` by others for the next :meth:`catch_up` and :meth:`process`, and the
        items' titles (``title_of`` remembers them; pure text work: run before the lock)."""
        texts = [ch.match_text for ch in stored if ch.new and ch.event_id is not None]
        texts += [it.match_text for it in items if it.rejected is None]
        self._prepared = {t: self._text_terms(t) for t in texts}
        for it in items:  # the title it would open an event with, or represent one by
            if it.rejected is None:
                title_of(own_text(it) or it.text)

    def process(self, items: list[Item]) -> None:
        """Set ``event_id`` on every live item of ``items`` (module doc); save touched events."""
        batch = [it for it in items if it.rejected is None]
        self.opened = 0
        self._dirty = set()
        try:
            self._process(batch)
        finally:
            self._prepared = {}

    def _process(self, batch: list[Item]) -> None:
        if not batch:  # every item refused: nothing to place, and no time to close events by
            return
        # the clock that closes events is this batch's newest dated item, not the newest item
        # ever seen: a back-filled batch (last June's posts after one of today's) still
        # clusters across its batches
        self._watermark = _NEVER
        if self._state is not None:
            self._prefetch(batch)
        for item in batch:
            self._place(item)
        for event_id in self._dirty:
            update_level(self.events[event_id], self.config.levels)
        self._mark_spikes(batch)
        self._close_old()
        if self._state is not None:
            self._save()

    def _mark_spikes(self, batch: list[Item]) -> None:
        """Set ``item.spike = True`` on the batch's items whose event spikes at the
        newest item's hour ([events] spike settings; read by the alert rules)."""
        cfg = self.config
        if not self._dirty or self._watermark == _NEVER:
            return
        now_hour = int(self._watermark.timestamp()) // 3600
        recent = max(1, round(cfg.spike_recent_hours))
        baseline = max(1, round(cfg.spike_baseline_hours))
        spiking = {e for e in self._dirty
                   if is_spiking(self.events[e], now_hour, recent, baseline, cfg.spike_sensitivity)}
        for item in batch:
            if item.event_id in spiking:
                item.spike = True

    def _place(self, item: Item) -> None:
        linked = self._linked_event(item)
        if item.is_update and linked is not None:
            item.event_id = linked.id
            return
        runs, terms = self._prepared.get(item.match_text) or self._text_terms(item.match_text)
        vec, seen_vec = self.df.add_and_weigh(
            terms, self.boilerplate.terms(account(item.source, item.author), runs))
        score = self._similarity(linked, vec) if linked is not None else 0.0
        event = linked
        if event is None and seen_vec:
            event, _ = self._best_match(item, seen_vec)
            # how representative the item is (the title): its whole vector's cosine, so a
            # member that adds words of its own ranks below one in the event's own words
            score = self._similarity(event, vec) if event is not None else 0.0
        if event is None:
            event = self._open_event(item)
            score = OPENER_SCORE
        self._join(event, item, vec, score)

    def _link_keys(self, item: Item) -> list[str]:
        """Keys whose event ``item`` would join (rules 1 and 2): its own key first (an
        update, or a parent whose reposts came before it)."""
        keys = [item.key]
        for ref in (item.root_id, item.parent_id):
            if ref:
                keys.append(f"{item.source}:{ref}")
        if "weibo." in item.text:
            for url in _WEIBO_URL.findall(item.text):
                mid = mid_from_url(url)
                if mid:
                    keys.append(f"{item.source}:{mid}")
        if item.duplicate_of and len(own_text(item)) >= MIN_DUPLICATE_CHARS:
            keys.append(item.duplicate_of)
        return keys

    def _linked_event(self, item: Item) -> Event | None:
        for key in self._link_keys(item):
            event_id = self._key_event.get(key)
            if event_id is not None and event_id in self.events:
                return self.events[event_id]
        return None

    def _best_match(self, item: Item, vec: dict[str, float]) -> tuple[Event | None, float]:
        """Return the open event most similar to ``vec`` (the item's seen-terms vector,
        rule 3) at or above the threshold (and the cosine), or (None, 0.0).
        Deterministic for a given input order: candidates are ranked by (shared terms,
        event id) and the best by (cosine, event id)."""
        votes: Counter[str] = Counter()
        postings = self._postings
        indexed = []  # (events holding the term, term): the most specific terms vote
        for term in vec:
            posting = postings.get(term)
            if isinstance(posting, str):
                indexed.append((1, term))
            elif posting and len(posting) <= MAX_POSTING:
                indexed.append((len(posting), term))
        if len(indexed) > QUERY_TERMS:
            indexed = heapq.nsmallest(QUERY_TERMS, indexed)
        for _, term in indexed:
            posting = postings[term]
            if isinstance(posting, str):
                votes[posting] += 1
            else:
                votes.update(posting)
        for name in item.repost_chain[:1]:
            quoted = self._author_event.get(name)
            if quoted in self._open:
                votes[quoted] += QUOTED_VOTES  # always a candidate
        if not votes:
            return None, 0.0
        at = item.published_at
        # short texts share a template ("为什么…") by chance: they need more (sqrt rule)
        threshold = self.threshold * max(1.0, math.sqrt(SHORT_TERMS / max(len(vec), 1)))
        best, best_key = None, (0.0, "")
        ranked = [(n, e) for e, n in votes.items() if n >= MIN_VOTES]
        if len(ranked) > MAX_CANDIDATES:
            ranked = heapq.nlargest(MAX_CANDIDATES, ranked)
        for n, event_id in ranked:
            event = self.events[event_id]
            if not event.first_at - self.window <= at <= event.last_at + self.window:
                continue
            if item.incident and not _same_kind(event, item.incident):
                continue
            centroid = self._centroid(event)
            score, shared = event.similarity_shared(vec, centroid)
            needed = threshold / 2 if n >= QUOTED_VOTES else threshold
            if score < needed:  # a retelling close to one member, far from the average
                for terms, weights in self._members.get(event_id, ()):
                    # an event's first member shares its centroid's arrays until a second joins
                    member = (centroid if terms is event.terms and weights is event.weights
                              else unpack((terms, weights)))
                    common = member.keys() & vec.keys()
                    cos = sum([member[t] * vec[t] for t in common])
                    if cos > score:
                        score, shared = cos, len(common)
            if score >= needed and (score, event_id) > best_key and (
                    shared >= MIN_SHARED or shared == MIN_SHARED - 1 and score >= STRONG * needed):
                best, best_key = event, (score, event_id)
        return best, best_key[0]

    def _similarity(self, event: Event, vec: dict[str, float]) -> float:
        """Return ``event.similarity(vec)``, its centroid unpacked once (:meth:`_centroid`)."""
        return event.similarity_shared(vec, self._centroid(event))[0]

    def _centroid(self, event: Event) -> dict[str, float]:
        """Return ``event.centroid``, kept for the last ``CENTROID_CACHE`` events scored
        (valid while the event holds the weights array it was unpacked from; not to be
        changed)."""
        cache = self._centroids
        kept = cache.get(event.id)
        if kept is not None and kept[0] is event.weights:
            cache.move_to_end(event.id)
            return kept[1]
        centroid = event.centroid
        cache[event.id] = (event.weights, centroid)
        cache.move_to_end(event.id)
        if len(cache) > CENTROID_CACHE:
            cache.popitem(last=False)
        return centroid

    def _open_event(self, item: Item) -> Event:
        self.opened += 1
        text = own_text(item) or item.text
        event = Event(id=event_id_for(item.key), first_at=item.published_at,
                      last_at=item.published_at, origin_key=item.key, rep_key=item.key,
                      title=title_of(text))
        self._remember(event)
        return event

    def _join(self, event: Event, item: Item, vec: dict[str, float], score: float) -> None:
        kept = self._centroids.get(event.id)
        gained, lost = add_item(event, item, vec, score, self.weights.get(item.media_type, 1.0),
                                kept[1] if kept is not None and kept[0] is event.weights else None)
        if event.id in self._open:
            self._unpost(lost, event.id)
            self._post(gained, event.id)
        item.event_id = event.id
        self._dirty.add(event.id)
        if event.size == 1 and len(event.terms) == len(vec):  # its centroid is vec, unpruned
            self._add_member(event.id, (event.terms, event.weights))  # shared, never mutated
        else:
            self._add_member(event.id, pack(vec))
        if "date_unparsed" not in item.flags:  # a fetch time must not close every event
            self._watermark = max(self._watermark, item.published_at)
        self._link_member(item.key, item.source, (item.root_id, item.parent_id), item.author,
                          event.id)

    def _add_member(self, event_id: str, packed: PackedVector) -> None:
        """Keep the vector ``packed`` as the latest of event ``event_id``'s ``MEMBERS``
        members."""
        kept = (*self._members.get(event_id, ()), packed)
        self._members[event_id] = kept[max(len(kept) - MEMBERS, 0):]

    def _link_member(self, key: str, source: str, refs: tuple[str | None, str | None],
                     author: str | None, event_id: str) -> None:
        """Remember that item ``key`` (of ``source``, by ``author``, reposting or replying
        to the ids ``refs``) is in event ``event_id``."""
        self._link(key, event_id)
        for ref in refs:
            if ref:  # a parent not collected (yet): its other reposts join this event
                self._key_event.setdefault(f"{source}:{ref}", event_id)
        if author:
            self._author_event[author] = event_id
            self._author_event.move_to_end(author)
            if len(self._author_event) > KEY_MEMORY:
                self._author_event.popitem(last=False)

    def _link(self, key: str, event_id: str) -> None:
        self._key_event[key] = event_id
        self._key_event.move_to_end(key)
        if len(self._key_event) > KEY_MEMORY:
            self._key_event.popitem(last=False)

    def _remember(self, event: Event) -> None:
        """Hold ``event`` in memory, indexed for similarity while it is open."""
        self.events[event.id] = event
        if event.id not in self._open and event.last_at + self.window >= self._watermark:
            self._open.add(event.id)
            self._post(event.terms, event.id)

    def _close_old(self) -> None:
        """Un-index events whose last item is more than the window before the newest item;
        with a store they are also dropped from memory (reloaded when a link needs them)."""
        if self._watermark == _NEVER:  # no dated item in the batch: no clock to close by
            return
        limit = self._watermark - self.window
        for event_id in [e for e in self._open if self.events[e].last_at < limit]:
            self._forget_terms(event_id)
            self._members.pop(event_id, None)
            if self._state is not None and event_id not in self._dirty:
                del self.events[event_id]

    def _forget_terms(self, event_id: str) -> None:
        """Close event ``event_id``: take it out of the open events and their term index
        (no-op when it is not open)."""
        if event_id not in self._open:
            return
        self._open.discard(event_id)
        self._unpost(self.events[event_id].terms, event_id)

    def _post(self, terms: Iterable[str], event_id: str) -> None:
        """Index the open event ``event_id`` under each of ``terms``."""
        postings = self._postings
        for term in terms:
            posting = postings.get(term)
            if posting is None:
                postings[term] = event_id
            elif type(posting) is str:
                if posting != event_id:
                    postings[term] = (posting, event_id)
            elif type(posting) is tuple:
                if event_id not in posting:
                    postings[term] = (posting + (event_id,) if len(posting) < MAX_POSTING
                                      else {*posting, event_id})
            else:
                posting.add(event_id)  # type: ignore[union-attr]

    def _unpost(self, terms: Iterable[str], event_id: str) -> None:
        """Take ``event_id`` out of the index of each of ``terms`` (no-op where absent)."""
        postings = self._postings
        for term in terms:
            posting = postings.get(term)
            if posting is None:
                continue
            if type(posting) is str:
                if posting == event_id:
                    del postings[term]
            elif type(posting) is tuple:
                if event_id in posting:
                    rest = tuple(e for e in posting if e != event_id)
                    postings[term] = rest if len(rest) > 1 else rest[0]
            else:
                posting.discard(event_id)  # type: ignore[union-attr]
                if len(posting) <= MAX_POSTING:  # a tuple again (any order: votes are counted)
                    postings[term] = tuple(sorted(posting))
