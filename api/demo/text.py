"""Fast article text: sentence pools are built once, articles only sample and substitute.

A pool entry is ``(text, words, a, b, c)``: the sentence with its ``{A}``/``{B}``/``{C}``
entity slots still open, its word count not counting those slots, and how many times each
slot occurs — so the exact word count with a given article's names is a few additions,
and paragraphs can hit a word range without building any text first.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

from api.demo import foreign, phrases
from api.demo.sampling import one_of, pick
from api.models.enums import EntityType, Sentiment

Piece = tuple[str, int, int, int, int]
SENTENCES_PER_POOL = 300
SUMMARY_WORDS = (60, 90)
PARAGRAPH_WORDS = (50, 90)
PARAGRAPH_COUNTS, PARAGRAPH_CUM = (3, 4, 5, 6), (25, 60, 85, 100)
TAKEAWAY_COUNTS, TAKEAWAY_CUM = (3, 4, 5, 6, 7), (20, 50, 75, 90, 100)
SLOTS = ("{A}", "{B}", "{C}")


def piece(text: str) -> Piece:
    a, b, c = (text.count(slot) for slot in SLOTS)
    return text, len(text.split()) - a - b - c, a, b, c


@dataclass(frozen=True, slots=True)
class ArticleText:
    title: str
    summary: str
    analysis: list[str]
    takeaways: list[str]


class _Filler:
    """Fills the per-pool slots ({n}, {k}, {m}, {day}, {period}, {year}) once."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def __call__(self, template: str) -> str:
        rng = self.rng
        if "{n}" in template:
            number = rng.randint(3, 38)
            if number in (8, 11, 18):  # "an 8% gain", not "a 8% gain"
                template = template.replace("a {n}", "an {n}").replace("A {n}", "An {n}")
            template = template.replace("{n}", str(number))
        if "{k}" in template:
            template = template.replace("{k}", str(rng.randint(2, 9)))
        if "{m}" in template:
            template = template.replace("{m}", rng.choice(phrases.MONEY))
        if "{day}" in template:
            template = template.replace("{day}", rng.choice(phrases.DAYS))
        if "{period}" in template:
            template = template.replace("{period}", rng.choice(phrases.PERIODS))
        if "{year}" in template:
            template = template.replace("{year}", rng.choice(phrases.YEARS))
        return template


def _subjects(agent_a: bool, agent_b: bool) -> list[str]:
    result: list[str] = []
    for subject in phrases.SUBJECTS:
        if (subject == "{A}" and not agent_a) or (subject == "{B}" and not agent_b):
            result.extend(s.replace("{X}", subject) for s in phrases.NON_AGENT_SUBJECTS)
        else:
            result.append(subject)
    return result


def _reported(rng: random.Random, fill: _Filler, sentiment: Sentiment, subjects: list[str]) -> str:
    """One "subject did something" sentence; a slot never appears twice in it."""
    while True:
        opener = rng.choice(phrases.OPENERS)
        subject = rng.choice(subjects)
        mood = sentiment if rng.random() < 0.7 else Sentiment.NEUTRAL
        predicate = rng.choice(phrases.PREDICATES[mood])
        tail = rng.choice(phrases.TAILS)
        if opener and not subject.startswith("{"):
            subject = subject[0].lower() + subject[1:]
        text = f"{opener}{subject} {predicate}{tail}."
        if all(text.count(slot) <= 1 for slot in SLOTS):
            return fill(text)


class TextFactory:
    def __init__(self, seed: int) -> None:
        rng = random.Random(f"broadsheet-demo-text:{seed}")
        fill = _Filler(rng)
        self.summaries: dict[tuple[Sentiment, bool, bool], list[Piece]] = {}
        self.paragraphs: dict[tuple[Sentiment, bool, bool], list[Piece]] = {}
        self.takeaways: dict[Sentiment, list[Piece]] = {}
        for sentiment in Sentiment:
            reflections = phrases.REFLECTIONS[sentiment] + phrases.REFLECTIONS[None]
            for agent_a in (False, True):
                for agent_b in (False, True):
                    key = (sentiment, agent_a, agent_b)
                    subjects = _subjects(agent_a, agent_b)
                    self.summaries[key] = [
                        piece(_reported(rng, fill, sentiment, subjects))
                        for _ in range(SENTENCES_PER_POOL)
                    ]
                    self.paragraphs[key] = [
                        piece(
                            fill(rng.choice(reflections))
                            if rng.random() < 0.5
                            else _reported(rng, fill, sentiment, subjects)
                        )
                        for _ in range(SENTENCES_PER_POOL)
                    ]
            self.takeaways[sentiment] = [
                piece(fill(t)) for t in phrases.TAKEAWAYS[sentiment] + phrases.TAKEAWAYS[None]
            ]
        self.foreign_sentences = {
            lang: [piece(fill(s)) for s in pool.sentences for _ in range(3)]
            for lang, pool in foreign.FOREIGN.items()
        }
        self.foreign_takeaways = {
            lang: [piece(fill(t)) for t in pool.takeaways] for lang, pool in foreign.FOREIGN.items()
        }

    def write(
        self,
        rng: random.Random,
        *,
        language: str,
        sentiment: Sentiment,
        primary: EntityType,
        secondary: EntityType,
        names: tuple[str, str, str],
        words: tuple[int, int, int],
    ) -> ArticleText:
        """Title, summary, analysis and takeaways for one article about ``names``."""
        random_ = rng.random
        if language == "en":
            key = (sentiment, primary in phrases.AGENTS, secondary in phrases.AGENTS)
            title_template = one_of(random_, phrases.TITLES[primary, sentiment])
            summary_pool = self.summaries[key]
            paragraph_pool = self.paragraphs[key]
            takeaway_pool = self.takeaways[sentiment]
        else:
            title_template = one_of(random_, foreign.FOREIGN[language].titles)
            summary_pool = paragraph_pool = self.foreign_sentences[language]
            takeaway_pool = self.foreign_takeaways[language]
        a, b, c = names
        title = title_template.format(
            a=a, b=b, n=2 + int(random_() * 39), m=one_of(random_, phrases.MONEY)
        )
        summary = " ".join(_compose(summary_pool, SUMMARY_WORDS, words, random_))
        paragraph_count = pick(random_, PARAGRAPH_COUNTS, PARAGRAPH_CUM)
        analysis = "\n".join(
            " ".join(_compose(paragraph_pool, PARAGRAPH_WORDS, words, random_))
            for _ in range(paragraph_count)
        )
        takeaway_count = min(pick(random_, TAKEAWAY_COUNTS, TAKEAWAY_CUM), len(takeaway_pool))
        takeaways = "\n".join(p[0] for p in rng.sample(takeaway_pool, takeaway_count))
        # One pass of substitutions per text block; paragraphs are split back afterwards.
        return ArticleText(
            title=title,
            summary=_name(summary, a, b, c),
            analysis=_name(analysis, a, b, c).split("\n"),
            takeaways=_name(takeaways, a, b, c).split("\n"),
        )


def _name(text: str, a: str, b: str, c: str) -> str:
    return text.replace("{A}", a).replace("{B}", b).replace("{C}", c)


def _compose(
    pool: list[Piece],
    bounds: tuple[int, int],
    words: tuple[int, int, int],
    random_: Callable[[], float],
) -> list[str]:
    """Distinct sentences whose exact word count lands in ``bounds`` (almost always)."""
    low, high = bounds
    wa, wb, wc = words
    size = len(pool)
    parts: list[str] = []
    total = misses = 0
    while total < low:
        # Indexing by random() is several times cheaper than rng.choice in this hot loop.
        text, base, a, b, c = pool[int(random_() * size)]
        count = base + a * wa + b * wb + c * wc
        if (total + count > high or text in parts) and misses < 20:
            misses += 1
            continue
        parts.append(text)
        total += count
    return parts
