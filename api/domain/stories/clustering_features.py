"""What the story clustering compares: an article's text terms, its salient entities, its time.

Text: the content words of the title and of the summary, lower-cased, stop words dropped and
crudely stemmed, kept as two sorted sets. Two articles' text similarity is the cosine of
their term vectors where a title term weighs ``TITLE_WEIGHT`` and a summary term 1 (a term in
both weighs their sum). Why sets with fixed weights rather than TF-IDF or MinHash:

- TF-IDF needs document frequencies that move with every write, so the same pair would score
  differently depending on what was stored before it - the clustering would depend on the
  order of arrival. Fixed weights make a pair's score a function of the pair alone.
- Titles and summaries are short (10 to 60 words): exact sets are as cheap to compare as a
  MinHash sketch and have no estimation error; word shingles (n > 1) would miss paraphrases
  ("cuts rates" / "rate cut"), which single stemmed words still catch.

Entities: the mentions at or above ``SALIENT`` salience, weighted by salience; overlap is
the weighted Jaccard ``sum(min) / sum(max)`` over the two articles' salient entities.

Candidates: articles within the window that share a key entity (salience >= KEY_SALIENCE
in both) *and* a term of the title (title terms leave out the words of mentioned entities'
names). Both conditions are
symmetric, so which pairs are compared does not depend on which article came first; and
the blocks stay small even for the entities in a fifth of all articles.

Score: ``(TEXT_SHARE * text + (1 - TEXT_SHARE) * entities) * (1 - TIME_PENALTY * h / W)``
for ``h`` hours apart within the window ``W``; symmetric, in 0..1. Two articles are the same
story when they share a salient entity, are within the window, and score ``>= THRESHOLD``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

MAX_TERM = 40  # longer "words" are codes or junk, and would not fit the key column
SALIENT = 0.3  # mentions below this salience are passing references, not the subject
KEY_SALIENCE = 0.5  # what an article is about: only these open candidate blocks
TITLE_WEIGHT = 2.0
TEXT_SHARE = 0.6
TIME_PENALTY = 0.3
THRESHOLD = 0.45
MIN_TEXT = 0.2  # entities alone never make a story: the text must say something alike
FOUNDER_MIN = 0.3  # a newcomer must also resemble its story's first article this much
FIGURE_CONFLICT = 0.3
NAMED_CONFLICT = 0.3

_FIGURE = re.compile(r"\d+(?:\.\d+)?")
_WORD = re.compile(r"[^\W_]+(?:[.,'][^\W_]+)*", re.UNICODE)
# Function words, and the generic vocabulary of business news that says nothing about which
# event an article tells.
STOP_WORDS = frozenset(
    [
        "a",
        "about",
        "above",
        "after",
        "again",
        "against",
        "all",
        "also",
        "am",
        "an",
        "and",
        "any",
        "are",
        "as",
        "at",
        "be",
        "because",
        "been",
        "before",
        "being",
        "below",
        "between",
        "both",
        "but",
        "by",
        "can",
        "could",
        "did",
        "do",
        "does",
        "doing",
        "down",
        "during",
        "each",
        "few",
        "for",
        "from",
        "further",
        "had",
        "has",
        "have",
        "having",
        "he",
        "her",
        "here",
        "hers",
        "him",
        "his",
        "how",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "itself",
        "just",
        "me",
        "more",
        "most",
        "my",
        "no",
        "nor",
        "not",
        "now",
        "of",
        "off",
        "on",
        "once",
        "only",
        "or",
        "other",
        "our",
        "out",
        "over",
        "own",
        "same",
        "she",
        "should",
        "so",
        "some",
        "such",
        "than",
        "that",
        "the",
        "their",
        "them",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "through",
        "to",
        "too",
        "under",
        "until",
        "up",
        "very",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "which",
        "while",
        "who",
        "whom",
        "why",
        "will",
        "with",
        "would",
        "you",
        "your",
        "said",
        "says",
        "say",
        "according",
        "new",
        "news",
        "report",
        "reports",
        "reported",
        "week",
        "weeks",
        "day",
        "days",
        "today",
        "year",
        "years",
        "month",
        "months",
        "amid",
        "after",
        "while",
        "per",
        "cent",
        "percent",
        "mr",
        "ms",
        "its",
        "company",
        "companies",
        "firm",
        "group",
        "market",
        "markets",
        "analysts",
        "analyst",
        "investors",
        "according",
        "people",
        "one",
        "two",
        "three",
        "first",
        "last",
        "latest",
        "update",
        "told",
        "statement",
        "thursday",
        "friday",
        "monday",
        "tuesday",
        "wednesday",
        "saturday",
        "sunday",
        "move",
        "moves",
        "plan",
        "plans",
    ]
)
_SUFFIXES = ("ations", "ation", "ings", "ing", "ies", "ied", "edly", "ed", "ly")


@lru_cache(maxsize=1 << 16)
def stem(word: str) -> str:
    """A crude suffix stripper: enough to meet "cuts"/"cut", "raised"/"raises", "rate"/"rates"."""
    word = word.removesuffix("'s").rstrip("'")
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)] + ("y" if suffix in ("ies", "ied") else "")
            break
    else:
        if word.endswith("s") and not word.endswith("ss") and len(word) > 3:
            word = word[:-1]
    return word[:-1] if len(word) > 3 and word.endswith("e") else word


def terms(text: str) -> list[str]:
    """Sorted distinct stemmed content words of ``text``."""
    found = {_term(word) for word in _WORD.findall(text.lower())}
    found.discard("")
    return sorted(found)


@lru_cache(maxsize=1 << 16)
def _term(word: str) -> str:
    """The term a lower-cased word stands for, "" for none; cached: news reuses its words."""
    if word in STOP_WORDS or len(word) > MAX_TERM:
        return ""
    if not word.isalpha():
        # Figures are among the best event markers; "EUR1.8bn" and "1.8" are one figure.
        figure = _FIGURE.search(word.replace(",", ""))
        if figure is not None:
            return figure.group()
    return stem(word) if len(word) >= 3 else ""


@lru_cache(maxsize=1 << 14)
def name_words(name: str) -> frozenset[str]:
    return frozenset(terms(name))


@dataclass(frozen=True, slots=True)
class Signature:
    """An article as the clustering sees it. ``entities``: salient (entity id, salience)."""

    title_terms: tuple[str, ...]
    summary_terms: tuple[str, ...]
    entities: tuple[tuple[int, float], ...]
    # Every mentioned entity, and those the title names: a title naming a counterpart the
    # other article never mentions tells another event ("X sues Y" / "X sues Z").
    mentioned: tuple[int, ...] = ()
    named: tuple[int, ...] = ()

    @classmethod
    def build(
        cls,
        title: str,
        summary: str,
        mentions: Iterable[tuple[int, float]],
        names: Iterable[str] = (),
    ) -> Signature:
        """``names``: of the mentioned entities, in order; their words leave the text."""
        found = [(int(e), float(s)) for e, s in mentions]
        name_terms = [name_words(name) for name in names]
        named_words = set().union(*name_terms) if name_terms else set()
        title_terms = terms(title)
        in_title = set(title_terms)
        named = sorted(
            e
            for (e, _), words in zip(found, name_terms, strict=False)
            if words and words <= in_title
        )
        return cls(
            tuple(t for t in title_terms if t not in named_words),
            tuple(t for t in terms(summary) if t not in named_words),
            tuple(sorted((e, s) for e, s in found if s >= SALIENT)),
            tuple(sorted({e for e, _ in found})),
            tuple(named),
        )

    def blocks(self) -> set[tuple[int, str]]:
        """The (key entity, title term) blocks this article is found under."""
        return {
            (entity, term)
            for entity, salience in self.entities
            if salience >= KEY_SALIENCE
            for term in self.title_terms
        }

    @classmethod
    def from_stored(cls, stored_terms: Mapping[str, Any], stored_entities: Any) -> Signature:
        return cls(
            tuple(stored_terms.get("t", ())),
            tuple(stored_terms.get("s", ())),
            tuple((int(e), float(s)) for e, s in stored_entities.get("salient", ())),
            tuple(int(e) for e in stored_entities.get("mentioned", ())),
            tuple(int(e) for e in stored_entities.get("named", ())),
        )

    def stored_terms(self) -> dict[str, list[str]]:
        return {"t": list(self.title_terms), "s": list(self.summary_terms)}

    def stored_entities(self) -> dict[str, list[Any]]:
        return {
            "salient": [[e, s] for e, s in self.entities],
            "mentioned": list(self.mentioned),
            "named": list(self.named),
        }

    def weights(self) -> dict[str, float]:
        weights = dict.fromkeys(self.summary_terms, 1.0)
        for term in self.title_terms:
            weights[term] = weights.get(term, 0.0) + TITLE_WEIGHT
        return weights


@dataclass(frozen=True, slots=True)
class Similarity:
    score: float
    text: float
    shared: tuple[tuple[int, float], ...]  # shared entities, with the smaller salience
    hours_apart: float


def text_similarity(a: Mapping[str, float], b: Mapping[str, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    dot = sum(w * b[t] for t, w in a.items() if t in b)
    if dot == 0.0:
        return 0.0
    norm = math.sqrt(sum(w * w for w in a.values()) * sum(w * w for w in b.values()))
    return dot / norm


def similarity(
    a: Signature,
    a_weights: Mapping[str, float],
    b: Signature,
    b_weights: Mapping[str, float],
    hours_apart: float,
    window_hours: float,
) -> Similarity:
    b_entities = dict(b.entities)
    shared = tuple((e, min(s, b_entities[e])) for e, s in a.entities if e in b_entities)
    if not shared:
        return Similarity(0.0, 0.0, (), hours_apart)
    text = text_similarity(a_weights, b_weights)
    conflict = 1.0
    if not (set(a.named) <= set(b.mentioned) and set(b.named) <= set(a.mentioned)):
        conflict *= NAMED_CONFLICT  # a title names someone the other article does not mention
    a_heads = {t for t in a.title_terms if t[0].isdigit()}
    b_heads = {t for t in b.title_terms if t[0].isdigit()}
    if a_heads and b_heads and not (a_heads <= b_heads or b_heads <= a_heads):
        conflict *= FIGURE_CONFLICT  # each headline has a figure the other contradicts
    a_figures = [t for t in a_weights if t[0].isdigit()]
    if a_figures and conflict == 1.0:
        b_figures = [t for t in b_weights if t[0].isdigit()]
        if b_figures and not set(a_figures) & set(b_figures):
            conflict *= FIGURE_CONFLICT  # both give figures and none agree: another event
    overlap_max = sum(max(s, b_entities.get(e, 0.0)) for e, s in a.entities)
    overlap_max += sum(s for e, s in b.entities if e not in dict(a.entities))
    entities = sum(s for _, s in shared) / overlap_max if overlap_max else 0.0
    decay = 1.0 - TIME_PENALTY * min(hours_apart / window_hours, 1.0)
    # A conflict discounts the whole score: the same entities must not carry it alone.
    score = (TEXT_SHARE * text + (1.0 - TEXT_SHARE) * entities) * decay * conflict
    return Similarity(round(score, 6), round(text, 6), shared, hours_apart)


def same_story(sim: Similarity) -> bool:
    return sim.score >= THRESHOLD and sim.text >= MIN_TEXT
