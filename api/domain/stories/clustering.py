"""The story clustering engine: pure, in memory, shared by the write path and the demo.

Rules (the contract every caller relies on):

- Two articles are *linked* when they share a key entity, were published within the window
  (``STORY_WINDOW_HOURS``, default 72 h) of each other and their similarity passes
  ``same_story`` (see ``clustering_features``), or when an editor stored a ``same_story``
  link between them (hard evidence: no window, no threshold, no guard).
- A new article joins the story of its best link (highest score; ties to the earliest
  published, then the lowest URL). A similarity link counts only if the article also
  resembles that story's *founder* (its earliest member) by ``FOUNDER_MIN``: this keeps
  look-alikes from chaining a busy entity's whole week into one story.
- When the links that count reach several stories, the article *bridges* them: they merge
  into the largest (ties: the older; stored ids before new ones) and the others' ids go.
- Deterministic: within one call items are processed in (published_at, url) order, so the
  same batch gives the same stories whatever order its items came in. Without the guard,
  stories would be exactly the connected components of the link graph (independent of
  arrival order too); the guard makes later batches depend on the founders already there,
  which in a live feed are the earliest articles anyway.
- Edits and deletes never split a story (a story that lost its bridge stays one story).
  The write path detaches an edited article (its old story shrinks and is deleted when
  empty) and clusters it again as if new; see ``writes``.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from api.domain.stories.clustering_features import (
    FOUNDER_MIN,
    Signature,
    Similarity,
    same_story,
    similarity,
)

DEFAULT_WINDOW_HOURS = 72.0
MIN_SHARED_TERMS = 2  # cheap prefilter before the full score: no shared words, no story
StoryKey = int  # stored story id (> 0), or a provisional one (< 0) for stories founded here


@dataclass(slots=True)
class Item:
    """One clustered (or to be clustered) article."""

    article_id: int
    url: str
    published_at: dt.datetime
    source_id: int
    signature: Signature
    weights: dict[str, float] = field(default_factory=dict)
    words: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        self.weights = self.signature.weights()
        self.words = frozenset(self.weights)

    @property
    def order(self) -> tuple[dt.datetime, str]:
        return (self.published_at, self.url)


@dataclass(frozen=True, slots=True)
class Membership:
    """Where an item went and why: ``matched`` is None for a founder."""

    article_id: int
    story: StoryKey
    score: float
    evidence: str  # similarity | editor_link | founder
    matched: int | None = None
    text: float = 0.0
    hours_apart: float = 0.0
    shared: tuple[tuple[int, float], ...] = ()


class Clusterer:
    """Union-find over stories, with an (entity, term) -> (time, article) index of known items."""

    def __init__(self, window_hours: float = DEFAULT_WINDOW_HOURS) -> None:
        self.window_hours = window_hours
        self.window = dt.timedelta(hours=window_hours)
        self.items: dict[int, Item] = {}
        self.story_of: dict[int, StoryKey] = {}  # article -> story key as first recorded
        self.parent: dict[StoryKey, StoryKey] = {}
        self.size: dict[StoryKey, int] = {}
        self.by_key: dict[tuple[int, str], list[tuple[dt.datetime, int]]] = {}
        self.merges: list[tuple[StoryKey, StoryKey]] = []  # (absorbed, survivor), in order
        self.founders: dict[StoryKey, Item] = {}  # each story's earliest member
        self._next_new = -1

    # -- known items -------------------------------------------------------------------------
    def add_known(self, item: Item, story: StoryKey, story_size: int) -> None:
        """An already clustered article (loaded from storage) and its story's stored size."""
        self.parent.setdefault(story, story)
        self.size.setdefault(story, story_size)
        self._remember(item, story)

    def add_founder(self, story: StoryKey, item: Item) -> None:
        """A stored story's earliest member (it need not be a candidate itself)."""
        current = self.founders.get(story)
        if current is None or item.order < current.order:
            self.founders[story] = item

    def _remember(self, item: Item, story: StoryKey) -> None:
        self.items[item.article_id] = item
        self.story_of[item.article_id] = story
        for key in item.signature.blocks():
            bisect.insort(self.by_key.setdefault(key, []), (item.published_at, item.article_id))

    def forget_before(self, cutoff: dt.datetime) -> None:
        """Let go of items published before ``cutoff``: they will be nobody's candidate."""
        for key, posts in list(self.by_key.items()):
            cut = bisect.bisect_left(posts, (cutoff, -1))
            if cut == len(posts):
                del self.by_key[key]
            elif cut:
                del posts[:cut]
        for article_id in [i for i, item in self.items.items() if item.published_at < cutoff]:
            del self.items[article_id]
        old = cutoff - self.window  # a founder that old can no longer be near a newcomer
        for story in [s for s, f in self.founders.items() if f.published_at < old]:
            del self.founders[story]

    def find(self, story: StoryKey) -> StoryKey:
        root = story
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[story] != root:  # path compression
            self.parent[story], story = root, self.parent[story]
        return root

    def story(self, article_id: int) -> StoryKey:
        return self.find(self.story_of[article_id])

    # -- clustering --------------------------------------------------------------------------
    def assign_all(
        self, items: Iterable[Item], links: dict[int, set[int]] | None = None
    ) -> list[Membership]:
        """Cluster new ``items`` in (published_at, url) order; ``links``: editor links by id."""
        links = links or {}
        return [
            self.assign(item, links.get(item.article_id, ()))
            for item in sorted(items, key=lambda i: i.order)
        ]

    def assign(self, item: Item, linked: Iterable[int] = ()) -> Membership:
        edges = self._edges(item)
        for other in linked:
            if other in self.items and other != item.article_id:
                sim = self._compare(item, self.items[other])
                edges[other] = (1.0, "editor_link", sim)
        self._guard(item, edges)
        if not edges:
            story = self._found()
            self._remember(item, story)
            self.size[story] = 1
            self.founders[story] = item
            return Membership(item.article_id, story, 1.0, "founder")
        ranked = sorted(edges.items(), key=lambda e: (-e[1][0], self.items[e[0]].order))
        best, (score, evidence, sim) = ranked[0]
        survivor = self.find(self.story_of[best])
        for other, _ in ranked[1:]:
            survivor = self._merge(survivor, self.find(self.story_of[other]))
        self._remember(item, survivor)
        self.size[survivor] += 1
        self.add_founder(survivor, item)
        return Membership(
            item.article_id,
            survivor,
            round(score, 6),
            evidence,
            best,
            sim.text,
            round(sim.hours_apart, 3),
            sim.shared,
        )

    def _guard(self, item: Item, edges: dict[int, tuple[float, str, Similarity]]) -> None:
        """Drop similarity edges into stories whose founder is unlike ``item``.

        Without it, look-alike pairs chain: A~B, B~C, C~D... and a busy entity's week of
        news becomes one story. Every member must stay close to where its story began.
        """
        verdict: dict[StoryKey, bool] = {}
        for other, (_, evidence, _) in list(edges.items()):
            if evidence != "similarity":
                continue
            story = self.find(self.story_of[other])
            if story not in verdict:
                founder = self.founders.get(story)
                verdict[story] = (
                    founder is None
                    or founder.article_id == other
                    or self._compare(item, founder).score >= FOUNDER_MIN
                )
            if not verdict[story]:
                del edges[other]

    def link(self, a: int, b: int) -> None:
        """Editor evidence between two known articles: their stories become one."""
        self._merge(self.find(self.story_of[a]), self.find(self.story_of[b]))

    def _edges(self, item: Item) -> dict[int, tuple[float, str, Similarity]]:
        lo, hi = item.published_at - self.window, item.published_at + self.window
        seen: set[int] = {item.article_id}
        edges: dict[int, tuple[float, str, Similarity]] = {}
        for key in item.signature.blocks():
            posts = self.by_key.get(key)
            if not posts:
                continue
            start = bisect.bisect_left(posts, (lo, -1))
            for at, other_id in posts[start:]:
                if at > hi:
                    break
                if other_id in seen:
                    continue
                seen.add(other_id)
                other = self.items[other_id]
                if len(item.words & other.words) < MIN_SHARED_TERMS:
                    continue
                sim = self._compare(item, other)
                if same_story(sim):
                    edges[other_id] = (sim.score, "similarity", sim)
        return edges

    def _compare(self, a: Item, b: Item) -> Similarity:
        hours = abs((a.published_at - b.published_at).total_seconds()) / 3600.0
        return similarity(a.signature, a.weights, b.signature, b.weights, hours, self.window_hours)

    def _found(self) -> StoryKey:
        key = self._next_new
        self._next_new -= 1
        self.parent[key] = key
        return key

    def _merge(self, a: StoryKey, b: StoryKey) -> StoryKey:
        if a == b:
            return a
        survivor, absorbed = sorted((a, b), key=self._rank)
        self.parent[absorbed] = survivor
        self.size[survivor] += self.size.pop(absorbed)
        founder = self.founders.pop(absorbed, None)
        if founder is not None:
            self.add_founder(survivor, founder)
        self.merges.append((absorbed, survivor))
        return survivor

    def _rank(self, story: StoryKey) -> tuple[int, int, int]:
        # Larger first; then older: stored ids ascending, then stories founded here in order.
        return (-self.size[story], 0 if story > 0 else 1, story if story > 0 else -story)
