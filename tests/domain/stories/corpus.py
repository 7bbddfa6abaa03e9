"""A hand-written news corpus for the story clustering: several outlets telling one event in
their own words, and look-alikes that share the entities or the words of another event."""

from __future__ import annotations

import datetime as dt
from typing import Any

from api.domain.articles.inputs import ArticleCreate

BASE = dt.datetime(2026, 9, 14, 6, tzinfo=dt.UTC)
OUTLETS = ("harbour-times", "ledger", "wire-daily", "market-post", "the-courier")
KINDS = {
    "india": "country",
    "rice": "topic",
    "rbi": "organization",
    "fed": "organization",
    "us": "country",
    "ecb": "organization",
    "eurozone": "organization",
    "apple": "company",
    "eu-commission": "organization",
    "nvidia": "company",
    "tesla": "company",
    "nhtsa": "organization",
    "bitcoin": "cryptocurrency",
    "microsoft": "company",
    "inflation": "topic",
}

# (event, outlet, hours after BASE, title, summary, {entity: salience})
ARTICLES: list[tuple[str, int, float, str, str, dict[str, float]]] = [
    (
        "rice-ban",
        0,
        0.0,
        "India bans exports of non-basmati white rice to curb food prices",
        "The government halted shipments of non-basmati white rice with immediate effect, "
        "aiming to keep domestic prices in check ahead of festivals.",
        {"india": 0.9, "rice": 0.8, "inflation": 0.4},
    ),
    (
        "rice-ban",
        1,
        3.5,
        "New Delhi halts overseas sales of white rice as food inflation bites",
        "Exporters said the ban on white rice shipments would disrupt contracts with buyers in "
        "Africa and Asia; basmati grades are exempt.",
        {"india": 0.85, "rice": 0.9},
    ),
    (
        "rice-ban",
        3,
        20.0,
        "Rice prices jump in Asia after India's export ban",
        "Thai and Vietnamese white rice quotes rose sharply as importers scrambled to replace "
        "Indian supply following the export ban.",
        {"rice": 0.9, "india": 0.7},
    ),
    (
        "rbi-hold",
        2,
        10.0,
        "Reserve Bank of India keeps repo rate unchanged at 6.5%",
        "The RBI's monetary policy committee voted to hold the repo rate, citing sticky food "
        "inflation and steady growth.",
        {"rbi": 0.9, "india": 0.6, "inflation": 0.5},
    ),
    (
        "rbi-hold",
        4,
        12.0,
        "RBI holds repo rate at 6.5%, warns on food inflation",
        "Governor said the central bank's policy committee left the repo rate at 6.5% and "
        "would stay watchful on food prices.",
        {"rbi": 0.95, "india": 0.5, "inflation": 0.6},
    ),
    (
        "fed-hold",
        0,
        30.0,
        "Fed holds interest rates steady, signals one more hike this year",
        "The Federal Reserve left its benchmark rate unchanged at 5.25%-5.5% and policymakers "
        "pencilled in one further increase before year end.",
        {"fed": 0.95, "us": 0.5, "inflation": 0.4},
    ),
    (
        "fed-hold",
        2,
        30.5,
        "Federal Reserve keeps benchmark rate unchanged, projects another increase",
        "Officials held the federal funds rate at 5.25%-5.5% while projecting one more hike, "
        "as inflation cools slowly.",
        {"fed": 0.9, "us": 0.6},
    ),
    (
        "fed-hold",
        4,
        33.0,
        "Powell: Fed prepared to raise rates further if needed",
        "Chair Jerome Powell said the Federal Reserve held rates steady but stands ready to "
        "hike again; the benchmark stays at 5.25%-5.5%.",
        {"fed": 0.9, "us": 0.4, "inflation": 0.5},
    ),
    (
        "ecb-hold",
        1,
        28.0,
        "ECB holds interest rates steady as eurozone economy stalls",
        "The European Central Bank kept its deposit rate at 4% and signalled rates would stay "
        "high for long enough to tame inflation.",
        {"ecb": 0.95, "eurozone": 0.6, "inflation": 0.4},
    ),
    (
        "ecb-hold",
        3,
        29.0,
        "European Central Bank keeps deposit rate at 4% record high",
        "Lagarde said the ECB's deposit rate of 4% would remain restrictive as the eurozone "
        "economy stagnates.",
        {"ecb": 0.9, "eurozone": 0.7},
    ),
    (
        "iphone",
        0,
        50.0,
        "Apple unveils iPhone 15 with USB-C port and titanium Pro models",
        "Apple introduced the iPhone 15 line at its Cupertino event, switching to USB-C "
        "charging and a titanium frame for the Pro models.",
        {"apple": 0.95},
    ),
    (
        "iphone",
        1,
        50.5,
        "iPhone 15 launch: Apple drops Lightning for USB-C, adds titanium",
        "The new iPhone 15 models charge over USB-C; the Pro versions get a titanium frame "
        "and a faster chip, Apple said at its launch event.",
        {"apple": 0.9},
    ),
    (
        "iphone",
        3,
        53.0,
        "Apple's iPhone 15 Pro goes titanium, prices start at $999",
        "Apple priced the iPhone 15 Pro from $999 and the Pro Max from $1,199, with the "
        "titanium design and USB-C port.",
        {"apple": 0.9},
    ),
    (
        "apple-fine",
        2,
        60.0,
        "EU fines Apple 1.8 billion euros over music streaming rules",
        "The European Commission fined Apple for blocking app developers from telling users "
        "about cheaper music subscriptions outside the App Store.",
        {"apple": 0.85, "eu-commission": 0.8},
    ),
    (
        "apple-fine",
        4,
        61.5,
        "Apple hit with EUR1.8bn Brussels antitrust penalty in Spotify case",
        "Brussels penalised Apple 1.8 billion euros after a complaint by Spotify over App "
        "Store restrictions on music streaming apps; Apple will appeal the fine.",
        {"apple": 0.9, "eu-commission": 0.7},
    ),
    (
        "nvidia",
        0,
        80.0,
        "Nvidia revenue beats forecasts on AI chip demand, shares rise",
        "Nvidia reported quarterly revenue of $13.5 billion, well ahead of estimates, as data "
        "centre sales of AI chips more than doubled.",
        {"nvidia": 0.95},
    ),
    (
        "nvidia",
        1,
        80.3,
        "Nvidia sales soar to $13.5 billion as AI boom lifts data centre business",
        "The chipmaker's data centre revenue more than doubled and it guided above forecasts, "
        "sending Nvidia shares higher after the bell.",
        {"nvidia": 0.95},
    ),
    (
        "nvidia",
        3,
        81.0,
        "AI demand powers Nvidia to record quarter, forecast beats estimates",
        "Nvidia posted record revenue of $13.5 billion driven by AI chips for data centres and "
        "forecast sales above Wall Street estimates.",
        {"nvidia": 0.9},
    ),
    (
        "tesla-recall",
        1,
        100.0,
        "Tesla recalls 2 million vehicles over Autopilot safety concerns",
        "Tesla is recalling more than 2 million cars in the US to fix Autopilot controls after "
        "a NHTSA investigation into crashes.",
        {"tesla": 0.9, "nhtsa": 0.7},
    ),
    (
        "tesla-recall",
        2,
        101.0,
        "NHTSA probe forces Tesla Autopilot recall of over 2 million cars",
        "An over-the-air software update will add Autopilot alerts on more than 2 million "
        "Tesla vehicles, the safety regulator NHTSA said.",
        {"nhtsa": 0.8, "tesla": 0.9},
    ),
    (
        "tesla-deliveries",
        3,
        110.0,
        "Tesla deliveries fall short of estimates as price cuts fail to lift demand",
        "Tesla delivered 435,000 vehicles in the quarter, below analyst estimates, despite "
        "price cuts across its lineup.",
        {"tesla": 0.95},
    ),
    (
        "tesla-deliveries",
        4,
        112.0,
        "Tesla quarterly deliveries miss forecasts at 435,000 vehicles",
        "Deliveries of 435,000 Tesla vehicles missed forecasts even after repeated price cuts, "
        "the carmaker said.",
        {"tesla": 0.9},
    ),
    (
        "bitcoin",
        2,
        40.0,
        "Bitcoin climbs above $30,000 for the first time since June",
        "The largest cryptocurrency rallied on hopes of spot bitcoin ETF approvals.",
        {"bitcoin": 0.95},
    ),
    (
        "msft-cfo",
        0,
        90.0,
        "Microsoft names new chief financial officer",
        "Microsoft appointed a new CFO to succeed Amy Hood, effective next month.",
        {"microsoft": 0.95},
    ),
]


def url(index: int) -> str:
    return f"https://{OUTLETS[ARTICLES[index][1]]}.example/story/{index}"


def item(index: int, **overrides: Any) -> ArticleCreate:
    _event, outlet, hours, title, summary, mentions = ARTICLES[index]
    data: dict[str, Any] = {
        "url": url(index),
        "title": title,
        "summary": summary,
        "source": {
            "slug": OUTLETS[outlet],
            "name": OUTLETS[outlet].replace("-", " ").title(),
            "homepage_url": f"https://{OUTLETS[outlet]}.example",
        },
        "published_at": (BASE + dt.timedelta(hours=hours)).isoformat(),
        "importance": 3 + index % 7,
        "mentions": [
            {"entity": {"slug": s, "name": s.upper(), "type": KINDS[s]}, "salience": v}
            for s, v in mentions.items()
        ],
    }
    return ArticleCreate.model_validate(data | overrides)


def truth() -> dict[str, str]:
    """URL -> event."""
    return {url(i): row[0] for i, row in enumerate(ARTICLES)}
