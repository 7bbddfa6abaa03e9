"""Sentence material for demo articles: headline templates and sentence fragments.

Slots: ``{A}``/``{B}``/``{C}`` are the article's first three entities (filled per article);
``{n}`` a percentage, ``{k}`` a small count, ``{m}`` a money amount, ``{day}``, ``{period}``
and ``{year}`` are filled once, when the sentence pools are built. Headlines use lower-case
``{a}``/``{b}``/``{n}``/``{m}`` and are filled per article with ``str.format``.
"""

from __future__ import annotations

from api.models.enums import EntityType, Sentiment

BULL, BEAR, FLAT = Sentiment.BULLISH, Sentiment.BEARISH, Sentiment.NEUTRAL
E = EntityType

TITLES: dict[tuple[EntityType, Sentiment], tuple[str, ...]] = {
    (E.COMPANY, BULL): (
        "{a} shares jump {n}% after earnings beat",
        "{a} raises full-year outlook as demand surges",
        "{a} wins {m} contract as {b} demand grows",
        "{a} expands into new markets as {b} momentum builds",
    ),
    (E.COMPANY, BEAR): (
        "{a} shares slide {n}% on weak guidance",
        "{a} faces probe as {b} concerns mount",
        "{a} cuts {n}% of staff amid slowdown",
        "{a} delays launch as costs mount",
    ),
    (E.COMPANY, FLAT): (
        "{a} names new finance chief",
        "{a} weighs options as {b} shifts",
        "What {a}'s latest filing reveals",
        "{a} to report results next week",
    ),
    (E.PERSON, BULL): (
        "{a} says the worst is over for {b}",
        "{a} bets big on {b} with {m} plan",
        "{a} secures backing for ambitious expansion",
    ),
    (E.PERSON, BEAR): (
        "{a} warns of tougher months ahead",
        "{a} steps down amid {b} turmoil",
        "{a} under pressure over {b} strategy",
    ),
    (E.PERSON, FLAT): (
        "{a} outlines priorities in first interview",
        "Who is {a}, the executive reshaping {b}?",
        "{a} to testify on {b} next month",
    ),
    (E.ORGANIZATION, BULL): (
        "{a} approves framework, clearing path for {b}",
        "{a} eases rules in win for {b}",
        "{a} backs {m} fund to spur growth",
    ),
    (E.ORGANIZATION, BEAR): (
        "{a} opens investigation into {b}",
        "{a} hands out {m} in fines over compliance failures",
        "{a} tightens rules, rattling {b}",
    ),
    (E.ORGANIZATION, FLAT): (
        "{a} publishes consultation on {b}",
        "{a} leaves policy unchanged",
        "Inside {a}'s review of {b}",
    ),
    (E.COUNTRY, BULL): (
        "{a} unveils {m} stimulus package",
        "{a} growth beats forecasts at {n}%",
        "{a} bets on {b} with tax incentives",
    ),
    (E.COUNTRY, BEAR): (
        "{a} imposes export curbs affecting {b}",
        "{a} inflation rises to {n}%, highest in months",
        "{a} economy contracts as exports slump",
    ),
    (E.COUNTRY, FLAT): (
        "{a} weighs trade response as {b} heats up",
        "{a} weighs new rules on {b}",
        "How {a} plans to regulate {b}",
    ),
    (E.CRYPTOCURRENCY, BULL): (
        "{a} rallies {n}% as inflows accelerate",
        "{a} hits multi-month high on upgrade optimism",
        "{a} volumes climb as {b} draws attention",
    ),
    (E.CRYPTOCURRENCY, BEAR): (
        "{a} slides {n}% after exchange outflows",
        "{a} drops as {b} scrutiny weighs",
        "{a} network halts briefly after bug",
    ),
    (E.CRYPTOCURRENCY, FLAT): (
        "{a} developers schedule upgrade for next month",
        "{a} trades flat as markets await news on {b}",
        "What the {a} upgrade means for holders",
    ),
    (E.PRODUCT, BULL): (
        "{a} sales top expectations in first month",
        "{a} wins strong early reviews",
        "{a} gains traction as {b} demand grows",
    ),
    (E.PRODUCT, BEAR): (
        "{a} recalled over safety concerns",
        "{a} launch slips again as focus shifts to {b}",
        "Users report outages with {a}",
    ),
    (E.PRODUCT, FLAT): (
        "{a} hands-on: what's new and what's not",
        "{a} to reach {n} new markets",
        "What {a} means for {b}",
    ),
    (E.TOPIC, BULL): (
        "{a}: why investors see a turning point",
        "Momentum builds around {a} as {b} enters the picture",
        "{a} optimism lifts {b}",
    ),
    (E.TOPIC, BEAR): (
        "{a} fears return as {b} stumbles",
        "{a} concerns weigh on {b}",
        "Why {a} is becoming a headache for {b}",
    ),
    (E.TOPIC, FLAT): (
        "{a} explained: what to watch this week",
        "{b} and the debate over {a}",
        "The state of {a} in {n} charts",
    ),
}

OPENERS = (
    "", "", "", "", "On {day}, ", "In a note to clients, ", "Separately, ", "Meanwhile, ",
    "According to a recent filing, ", "Earlier this month, ", "Over the past {k} days, ",
    "By late trading, ", "In an interview, ", "For now, ", "Still, ",
)  # fmt: skip
# Entity kinds that can plausibly "say" or "report" something as a sentence subject.
AGENTS = frozenset({E.COMPANY, E.PERSON, E.ORGANIZATION, E.COUNTRY})
# Replace a bare "{A}"/"{B}" subject when that entity is a token, product or topic.
NON_AGENT_SUBJECTS = ("Analysts covering {X}", "Observers of {X}", "People following {X}")
SUBJECTS = (
    "{A}", "{A}", "{A}", "{B}", "Analysts covering {A}", "People familiar with {A}",
    "Investors in {B}", "Rivals such as {B}", "Market watchers", "Traders",
    "Several fund managers", "Industry executives", "Observers tracking {C}",
    "Commentators focused on {C}", "Officials", "Early customers",
)  # fmt: skip
PREDICATES: dict[Sentiment, tuple[str, ...]] = {
    BULL: (
        "pointed to stronger-than-expected demand",
        "raised expectations for the coming {period}",
        "described the latest figures as a turning point",
        "signalled that growth could accelerate through {year}",
        "welcomed the decision as overdue",
        "saw room for a further {n}% gain",
        "reported a {n}% jump in activity",
        "highlighted record engagement from new users",
        "noted that inflows have risen for {k} straight weeks",
        "said momentum was building faster than planned",
        "upgraded the outlook after a strong {period}",
        "cited a {m} pipeline of new commitments",
    ),
    BEAR: (
        "warned that margins could narrow by {k} percentage points",
        "cut forecasts for the coming {period}",
        "flagged rising costs and slowing orders",
        "said the setback could take {k} months to reverse",
        "reported a {n}% drop in activity",
        "described conditions as the weakest in {k} years",
        "questioned whether the plan is sustainable",
        "pointed to {m} in unexpected losses",
        "saw further downside if funding tightens",
        "acknowledged that demand had softened",
        "raised concerns about governance and disclosure",
        "trimmed exposure ahead of the next {period}",
    ),
    FLAT: (
        "said it was too early to judge the impact",
        "said more details were expected within {k} weeks",
        "noted that the figures were broadly in line with guidance",
        "declined to comment on the timing",
        "described the talks as constructive but incomplete",
        "said a decision is expected before the end of the {period}",
        "kept estimates unchanged",
        "pointed to mixed signals in recent data",
        "stressed that the review is routine",
        "said {k} options remain under consideration",
    ),
}
TAILS = (
    "", "", "", "", " after a volatile week", " as scrutiny of {B} intensifies",
    " according to people familiar with the matter", " amid a broader shift in risk appetite",
    " ahead of a closely watched update on {C}", " even as {B} moved in the opposite direction",
    " following a {m} financing round", " in the wake of fresh headlines about {C}",
    " compared with the same {period} last year",
)  # fmt: skip

# Whole sentences for the analysis paragraphs, in a more reflective register.
REFLECTIONS: dict[Sentiment | None, tuple[str, ...]] = {
    None: (
        "The broader question is whether {A} can sustain this pace once attention shifts to {B}.",
        "Context matters here: the last comparable episode played out over roughly {k} months.",
        "For long-term observers, the direction of travel matters more than any single headline.",
        "The relationship between {A} and {B} has become a useful barometer for the sector.",
        "Much depends on how the debate around {C} evolves over the next {period}.",
        "Liquidity conditions remain a swing factor, and they can change quickly.",
        "It is worth separating the structural story from the short-term noise.",
        "Data released over the past {k} weeks paints a nuanced picture.",
        "Several details remain unclear, including the timeline and the final cost.",
        "The knock-on effect for {B} will be an early test of how durable the shift is.",
        "Comparisons with previous cycles are tempting but imperfect.",
        "Positioning data suggests many participants were caught off guard.",
    ),
    BULL: (
        "If the trend holds, {A} could emerge as one of the clear winners of the {period}.",
        "The upside case rests on execution, which has improved markedly over the past year.",
        "A {n}% improvement would put {A} well ahead of where it stood in {year}.",
        "Supportive signals around {C} add a further tailwind.",
        "Momentum like this tends to attract new capital, which can reinforce the move.",
    ),
    BEAR: (
        "The downside scenario is not extreme, but it is no longer remote.",
        "A further {n}% decline would erase most of the gains made since {year}.",
        "Pressure around {B} is unlikely to ease before the next {period}.",
        "Funding costs remain elevated, leaving little room for error.",
        "The episode raises uncomfortable questions about oversight around {A}.",
    ),
    FLAT: (
        "Neither side has shown its hand yet, and the outcome remains open.",
        "Most forecasts cluster around the middle of the range, with few outliers.",
        "A clearer picture should emerge once fresh data on {C} is published.",
        "For now, the base case is continuity rather than a sharp break.",
        "The data are consistent with a gradual adjustment rather than a shock.",
    ),
}

TAKEAWAYS: dict[Sentiment | None, tuple[str, ...]] = {
    None: (
        "{A} is at the center of this story.",
        "{B} is the name most exposed to the outcome.",
        "Watch for new developments involving {C} in the coming weeks.",
        "The timeline remains uncertain.",
        "Key details are expected within {k} weeks.",
        "Regulatory attention is a recurring theme.",
        "Funding conditions remain an important swing factor.",
        "Comparable episodes have lasted roughly {k} months.",
    ),
    BULL: (
        "Sentiment toward {A} has turned more positive.",
        "Demand indicators rose about {n}% over the period.",
        "{A} is gaining ground on {B}.",
        "Analysts see further upside if execution holds.",
        "New capital is flowing toward {A}.",
    ),
    BEAR: (
        "Sentiment toward {A} has deteriorated.",
        "Activity fell roughly {n}% over the period.",
        "{B} could benefit from the setback for {A}.",
        "Costs are rising faster than revenue.",
        "Further downside is possible if funding tightens.",
    ),
    FLAT: (
        "Figures were broadly in line with expectations.",
        "No immediate change in strategy is expected.",
        "{A} and {B} continue to be closely linked.",
        "Markets are waiting for more information.",
        "Estimates were left largely unchanged.",
    ),
}

DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")
PERIODS = ("quarter", "half", "year", "month", "season")
YEARS = ("2023", "2024", "2025")
MONEY = (
    "$40 million", "$120 million", "$250 million", "$600 million", "$1.2 billion",
    "$3 billion", "$75 million", "$900 million",
)  # fmt: skip
# Stands in for {C} when an article mentions only two entities.
C_FALLBACK = {
    "en": "the wider sector",
    "de": "die gesamte Branche",
    "fr": "l'ensemble du secteur",
    "es": "todo el sector",
}
