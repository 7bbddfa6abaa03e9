"""News events for the demo: one event told by several outlets, in their own words.

An event has a kind (an acquisition, a recall, a fine...), a primary entity and maybe a
second one, a figure and two details of its own; every outlet covering it writes its own
title and summary from the kind's paraphrases, naming some of the figure and details, and
mentions the event's entities (plus a few passing ones). Coverage comes out over about a day
and a half after the event breaks.

Look-alikes, so the clustering has something to get wrong: some events reuse the entities of
a recent event with another kind (same entities, different event), some the entities *and*
the kind with a new figure and details (the same company's second deal that week); and every
kind recurs for other entities (same words, different entities). Articles that are no
event's coverage are the generator's ordinary ones: each its own story in the ground truth.

The desk draws from its own random stream: the ordinary articles' text stays as it was.
"""

from __future__ import annotations

import datetime as dt
import heapq
import random
from array import array
from dataclasses import dataclass

from api.demo.catalog import Catalog
from api.demo.sampling import one_of, pick

START_SHARE = 0.14  # of the slots not owed to coverage, the share that breaks a new event
COVERAGE, COVERAGE_CUM = (2, 3, 4, 5, 6), (25, 55, 75, 90, 100)
SPREAD_HOURS = 36.0
SAME_ENTITIES_SHARE = 0.2  # new events about a recent event's entities, another kind
SAME_KIND_SHARE = 0.06  # ... about the same entities and the same kind: a second deal

# kind: (titles, summaries, details, figure format). Slots: {a} primary, {b} second entity
# (or a fallback), {x} figure, {d} and {e} the event's details.
KINDS: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...], str]] = {
    "acquisition": (
        (
            "{a} agrees to buy {d} specialist in {x} deal",
            "{a} to acquire {d} business for {x}",
            "{a} strikes {x} takeover of {d} firm",
            "{d} maker sold to {a} in {x} acquisition",
            "{a} bets on {d} with {x} purchase",
        ),
        (
            "{a} said it would pay {x} for the {d} company, its largest deal since {e}.",
            "The {x} acquisition gives {a} a foothold in {d}; {b} advised on the takeover.",
            "Shareholders of the {d} target will receive cash; {a} expects the {x} purchase "
            "to close after the {e} review.",
        ),
        ("battery", "payments", "robotics", "satellite", "genomics", "logistics", "drone"),
        "${n} billion",
    ),
    "recall": (
        (
            "{a} recalls {x} units over {d} fault",
            "{d} defect forces {a} to recall {x} products",
            "{a} issues recall of {x} devices after {d} complaints",
            "Regulators push {a} into {x}-unit recall on {d} risk",
        ),
        (
            "{a} is recalling {x} units because of a {d} fault reported by {e} customers.",
            "The recall covers {x} products with a {d} defect; {b} opened an inquiry.",
            "Owners are told to stop using the devices until the {d} problem is fixed, "
            "{a} said, citing {e} incidents.",
        ),
        ("overheating", "brake", "wiring", "airbag", "firmware", "seal", "sensor"),
        "{n}0,000",
    ),
    "fine": (
        (
            "{b} fines {a} {x} over {d} breaches",
            "{a} hit with {x} penalty in {d} case",
            "{a} ordered to pay {x} for {d} violations",
            "{x} fine for {a} after {d} probe",
        ),
        (
            "{b} said {a} broke {d} rules and imposed a {x} penalty; {a} plans to appeal.",
            "The {x} fine ends a {e}-month {d} investigation into {a}.",
            "Regulators found {d} violations at {a} and ordered it to pay {x}.",
        ),
        ("privacy", "antitrust", "disclosure", "emissions", "consumer", "sanctions"),
        "${n} million",
    ),
    "earnings": (
        (
            "{a} profit jumps to {x} on strong {d} demand",
            "{a} beats forecasts with {x} quarterly profit",
            "{d} sales lift {a} earnings to {x}",
            "{a} quarterly earnings top estimates at {x}",
        ),
        (
            "{a} reported net income of {x}, ahead of estimates, as {d} revenue grew.",
            "Quarterly profit reached {x}; {a} raised its outlook on {d} demand.",
            "Strong {d} sales drove {a} earnings to {x}, well up from a year earlier.",
        ),
        ("cloud", "advertising", "subscription", "chip", "travel", "insurance"),
        "${n}.{k} billion",
    ),
    "layoffs": (
        (
            "{a} to cut {x} jobs in {d} overhaul",
            "{a} plans {x} layoffs as {d} unit shrinks",
            "{x} jobs to go at {a} amid {d} restructuring",
            "{a} announces {x} job cuts in {d} division",
        ),
        (
            "{a} will eliminate {x} positions, mostly in its {d} division, by {e}.",
            "The {x} job cuts are part of a {d} restructuring; {b} criticised the plan.",
            "{a} said the {d} overhaul would remove {x} roles and save costs by {e}.",
        ),
        ("retail", "hardware", "media", "research", "manufacturing", "support"),
        "{n},000",
    ),
    "launch": (
        (
            "{a} unveils {d} {x} at launch event",
            "{a} launches {d} {x} with new features",
            "{d} {x} debuts as {a} refreshes lineup",
            "First look: {a}'s new {d} {x}",
        ),
        (
            "{a} introduced the {d} {x}, with shipments starting next month.",
            "The {d} {x} is {a}'s first major launch of the season; {b} will stock it.",
            "{a} showed the {d} {x} to reporters, promising longer battery life.",
        ),
        ("tablet", "headset", "smartwatch", "router", "console", "scooter", "laptop"),
        "X{n}",
    ),
    "lawsuit": (
        (
            "{b} sues {a} over {d} claims",
            "{a} faces {d} lawsuit seeking {x}",
            "{a} hit with {x} {d} suit",
            "Court battle: {a} accused of {d} misconduct, {x} sought",
        ),
        (
            "The complaint accuses {a} of {d} misconduct and seeks {x} in damages.",
            "{b} filed the {d} suit against {a} on {e} grounds, asking for {x}.",
            "{a} called the {x} {d} lawsuit meritless and vowed to fight it.",
        ),
        ("patent", "fraud", "copyright", "labour", "contract", "securities"),
        "${n}0 million",
    ),
    "outage": (
        (
            "{a} {d} outage hits {x} users",
            "{x} customers lose {d} service in {a} outage",
            "{a} restores {d} after outage affecting {x}",
            "Hours-long {d} outage at {a} disrupts {x} accounts",
        ),
        (
            "A {d} failure left {x} users without service for {e} hours, {a} said.",
            "{a} blamed a {d} update for the outage, which affected {x} customers.",
            "Service was restored after {e} hours; {b} asked {a} to explain the {d} failure.",
        ),
        ("network", "payments", "cloud", "login", "messaging", "streaming"),
        "{n} million",
    ),
    "rate": (
        (
            "{a} raises rates to {x} to fight {d} inflation",
            "{a} lifts benchmark rate to {x}",
            "{x}: {a} hikes again as {d} prices climb",
            "{a} rate decision: borrowing costs up to {x}",
        ),
        (
            "{a} raised its key rate to {x}, citing {d} prices and a tight labour market.",
            "Policymakers at {a} voted {e} to lift the benchmark to {x}.",
            "The move to {x} was expected; {a} signalled {d} inflation remains a concern.",
        ),
        ("energy", "food", "housing", "services", "import", "wage"),
        "{n}.{k}%",
    ),
    "ceo": (
        (
            "{a} chief executive steps down after {d} turmoil",
            "{a} CEO resigns; {b} veteran named interim chief",
            "Leadership shake-up at {a} as CEO quits over {d}",
            "{a} names new CEO after {d} review",
        ),
        (
            "The chief executive left {a} after {x} years, following the {d} review.",
            "{a} said its CEO resigned amid {d} turmoil; a search for a successor began.",
            "The board of {a} accepted the CEO's resignation after {e} months of {d} disputes.",
        ),
        ("accounting", "strategy", "governance", "safety", "succession"),
        "{n}",
    ),
    "partnership": (
        (
            "{a} and {b} team up on {d}",
            "{a} signs {x} {d} partnership with {b}",
            "{b} partners with {a} to develop {d}",
            "{a}, {b} form {d} alliance worth {x}",
        ),
        (
            "The {x} agreement joins {a} and {b} in {d} development through {e}.",
            "{a} and {b} will share {d} technology under the {x} partnership.",
            "Under the {d} alliance, {b} brings manufacturing and {a} the software.",
        ),
        ("hydrogen", "quantum", "autonomous", "biotech", "semiconductor", "fintech"),
        "${n}00 million",
    ),
    "ipo": (
        (
            "{a} prices IPO at {x}, raising funds for {d} push",
            "{a} shares jump in {x} market debut",
            "{a} IPO values {d} company at {x}",
            "{d} group {a} lists at {x} a share",
        ),
        (
            "{a} sold shares at {x} in its initial public offering, led by {b}.",
            "The {d} company's debut valued it above expectations; trading opens {e}.",
            "Proceeds from the {x} listing will fund {a}'s {d} expansion.",
        ),
        ("fintech", "biotech", "gaming", "energy", "retail", "software"),
        "${n}",
    ),
}
# Kinds that can befall one company twice in a few days (a CEO cannot quit twice).
REPEATABLE = frozenset({"acquisition", "recall", "fine", "lawsuit", "launch", "partnership"})
ORDINARY_TAILS = (" ({x})", ": {x}", ", {x}")
MIN_SUMMARY_WORDS = 45
CLOSERS = (
    "Further details are expected in the coming days.",
    "A spokesperson declined to comment beyond the statement.",
    "Shares were little changed in early trading.",
    "Analysts said the news had been partly expected.",
    "The announcement came after markets closed.",
)
FALLBACK_B = ("regulators", "analysts", "unions", "investors")
EXTRA_DETAILS = ("March", "June", "September", "December", "2025", "three", "five", "seven")


@dataclass(frozen=True, slots=True)
class Event:
    number: int
    kind: str
    primary: int  # catalog entity index
    second: int | None
    figure: str
    details: tuple[str, str]
    sources: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class Coverage:
    event: int
    title: str
    summary: str
    source: int  # catalog source index
    mentions: list[tuple[int, float]]  # (catalog entity index, salience)


class EventDesk:
    """Decides, slot by slot, whether an article covers an event, and writes it if so."""

    def __init__(self, catalog: Catalog, *, seed: int, total: int) -> None:
        self.catalog = catalog
        self.rng = random.Random(f"broadsheet-demo-events:{seed}")
        self.due: list[tuple[dt.datetime, int, int]] = []  # (when, event number, ordinal)
        self.events: dict[int, Event] = {}
        self.recent: list[tuple[dt.datetime, int]] = []  # events of the last two days
        self.next_event = 1
        # Ground truth: event number per article id (index); 0 = no event, its own story.
        self.truth = array("l", [0]) * (total + 1)

    def detail(self) -> str:
        """A figure of an ordinary article's own, so two of them with the same template title
        still tell apart, as real headlines about different days' news do."""
        random_ = self.rng.random
        figure = f"{1 + int(random_() * 9)}.{int(random_() * 10)}%"
        return one_of(random_, ORDINARY_TAILS).format(x=figure)

    def cover(self, article_id: int, published: dt.datetime) -> Coverage | None:
        if self.due and self.due[0][0] <= published:
            _, number, ordinal = heapq.heappop(self.due)
            return self._write(article_id, self.events[number], ordinal)
        if self.rng.random() >= START_SHARE:
            return None
        event = self._new_event(published)
        count = pick(self.rng.random, COVERAGE, COVERAGE_CUM)
        for ordinal in range(1, count):
            offset = dt.timedelta(hours=self.rng.random() * SPREAD_HOURS)
            heapq.heappush(self.due, (published + offset, event.number, ordinal))
        return self._write(article_id, event, 0)

    def _new_event(self, published: dt.datetime) -> Event:
        rng, catalog = self.rng, self.catalog
        random_ = rng.random
        horizon = published - dt.timedelta(hours=48)
        self.recent = [(at, n) for at, n in self.recent if at >= horizon]
        alive = {n for _, n in self.recent} | {n for _, n, _ in self.due}
        for old in [n for n in self.events if n not in alive]:
            del self.events[old]  # bounded memory: only recent events are kept
        kind = one_of(random_, tuple(KINDS))
        base_kind, base_figure = "", ""
        draw = random_()
        if self.recent and draw < SAME_ENTITIES_SHARE + SAME_KIND_SHARE:
            base = self.events[one_of(random_, self.recent)[1]]
            primary, second = base.primary, base.second
            base_kind, base_figure = base.kind, base.figure
            if draw < SAME_KIND_SHARE and base.kind in REPEATABLE:
                kind = base.kind
            else:
                kind = one_of(random_, tuple(k for k in KINDS if k != base.kind))
        else:
            primary = pick(random_, catalog.entity_order, catalog.entity_cum)
            related = catalog.related[primary]
            second = one_of(random_, related) if related and random_() < 0.7 else None
        details_pool = KINDS[kind][2]
        first_detail = one_of(random_, details_pool)
        figure = KINDS[kind][3].format(n=2 + int(random_() * 97), k=int(random_() * 10))
        if kind == base_kind and figure == base_figure:  # a second deal has its own figure
            figure = KINDS[kind][3].format(n=101 + int(random_() * 97), k=int(random_() * 10))
        event = Event(
            number=self.next_event,
            kind=kind,
            primary=primary,
            second=second,
            figure=figure,
            details=(first_detail, one_of(random_, EXTRA_DETAILS)),
            sources=tuple(rng.sample(range(len(catalog.sources)), 6)),
        )
        self.next_event += 1
        self.events[event.number] = event
        self.recent.append((published, event.number))
        return event

    def _write(self, article_id: int, event: Event, ordinal: int) -> Coverage:
        rng, catalog = self.rng, self.catalog
        random_ = rng.random
        self.truth[article_id] = event.number
        titles, summaries, _, _ = KINDS[event.kind]
        names = catalog.entity_names
        slots = {
            "a": names[event.primary],
            "b": names[event.second] if event.second is not None else one_of(random_, FALLBACK_B),
            "x": event.figure,
            "d": event.details[0],
            "e": event.details[1],
        }
        title = one_of(random_, titles).format(**slots)
        # Every outlet gives the event's figure: coverage of one event repeats its numbers.
        figured = [i for i, text in enumerate(summaries) if "{x}" in text]
        first = one_of(random_, figured)
        rest = [i for i in range(len(summaries)) if i != first]
        rng.shuffle(rest)
        sentences = [summaries[i].format(**slots) for i in (first, *rest)]
        closers = list(CLOSERS)
        rng.shuffle(closers)
        while sum(len(x.split()) for x in sentences) < MIN_SUMMARY_WORDS and closers:
            sentences.append(closers.pop())  # wire-copy boilerplate: words every event shares
        summary = " ".join(sentences)
        title = title[0].upper() + title[1:]
        mentions = [(event.primary, round(0.75 + 0.25 * random_(), 3))]
        if event.second is not None and random_() < 0.85:
            mentions.append((event.second, round(0.35 + 0.35 * random_(), 3)))
        wanted = len(mentions) + 1 + int(random_() * 3)  # and some passing references
        while len(mentions) < wanted:
            extra = pick(random_, catalog.entity_order, catalog.entity_cum)
            if all(extra != e for e, _ in mentions):
                mentions.append((extra, round(0.05 + 0.3 * random_(), 3)))
        return Coverage(event.number, title, summary, event.sources[ordinal], mentions)
