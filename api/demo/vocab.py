"""Name pools for the demo catalog: publishers, categories, people, invented companies.

Companies, people, products, tokens and agencies are invented (coined words, generic name
pools) so the demo never puts made-up news in the mouth of a real firm or person; countries
and topics are real-world and generic. Every URL uses the reserved ``.example`` domain.
"""

from __future__ import annotations

# (name, category slug of most of its coverage)
SOURCES: tuple[tuple[str, str], ...] = (
    ("The Ledger Daily", "crypto"),
    ("Northwind Markets", "markets"),
    ("Signal & Noise", "technology"),
    ("Blockwire", "crypto"),
    ("Chainside Report", "crypto"),
    ("Circuit Review", "technology"),
    ("Meridian Finance", "markets"),
    ("Tidewater Times", "economy"),
    ("Open Ledger News", "crypto"),
    ("Coinfront", "crypto"),
    ("The Compute Post", "ai"),
    ("Atlas Policy Review", "policy"),
    ("Frontier Capital News", "startups"),
    ("Greenline Energy Monitor", "energy"),
    ("The Data Desk", "ai"),
    ("Harbor Street Journal", "markets"),
    ("Byteline", "technology"),
    ("Macro Lens", "economy"),
    ("Pinnacle Tech", "technology"),
    ("The Startup Wire", "startups"),
    ("Secure Perimeter", "security"),
    ("Lab Notes Weekly", "science"),
    ("Polaris Business", "markets"),
    ("Silicon Tide", "technology"),
    ("The Mint Observer", "economy"),
    ("Quantum Quill", "science"),
    ("Crosswind Economics", "economy"),
    ("Hashrate Herald", "crypto"),
    ("The Regulatory Brief", "policy"),
    ("Beacon Science", "science"),
    ("Grid & Gauge", "energy"),
    ("Parallel Markets", "markets"),
    ("The Founders Ledger", "startups"),
    ("Vector Security Weekly", "security"),
    ("Continental Tribune", "policy"),
    ("Orbit Digest", "ai"),
)

# (slug, name, icon)
CATEGORIES: tuple[tuple[str, str, str], ...] = (
    ("ai", "AI", "🧠"),
    ("crypto", "Crypto", "🪙"),
    ("markets", "Markets", "📈"),
    ("policy", "Policy & Regulation", "⚖️"),
    ("technology", "Technology", "💻"),
    ("energy", "Energy", "⚡"),
    ("economy", "Economy", "🏦"),
    ("startups", "Startups", "🚀"),
    ("security", "Security", "🔒"),
    ("science", "Science", "🔬"),
)

FIRST_NAMES = (
    "Amara", "Ben", "Carla", "Daniel", "Elena", "Farid", "Grace", "Hiro", "Ines", "Jonas",
    "Kavya", "Liam", "Maya", "Nikolai", "Olivia", "Pablo", "Quinn", "Rosa", "Samir", "Tessa",
    "Uma", "Victor", "Wen", "Ximena", "Yusuf", "Zoe", "Aiden", "Bianca", "Chen", "Dara",
    "Emeka", "Freya", "Gabriel", "Hana", "Isaac", "Julia", "Kofi", "Lena", "Mateo", "Nadia",
    "Oscar", "Priya", "Rafael", "Sofia", "Tomas", "Valentina", "William", "Yara", "Arjun", "Mei",
)  # fmt: skip

LAST_NAMES = (
    "Okafor", "Lindqvist", "Moreau", "Tanaka", "Alvarez", "Brennan", "Castillo", "Dubois",
    "Eriksen", "Fischer", "Gupta", "Haddad", "Ivanova", "Jensen", "Kowalski", "Laurent",
    "Mensah", "Nakamura", "Oliveira", "Petrov", "Quintero", "Rahman", "Schultz", "Takahashi",
    "Ueda", "Varga", "Whitaker", "Xu", "Yilmaz", "Zimmermann", "Achebe", "Bergstrom",
    "Costa", "Delgado", "Espinoza", "Fontaine", "Grant", "Holloway", "Iqbal", "Kaur",
    "Lombardi", "Marsh", "Novak", "Osei", "Park", "Reyes", "Sato", "Thornton", "Vance", "Wu",
)  # fmt: skip

# Coined brand words are built from these halves: "Cor" + "ova" -> "Corova".
BRAND_HEADS = (
    "Ar", "Bel", "Cor", "Dra", "El", "Fen", "Gal", "Hal", "Is", "Jun", "Kor", "Lum", "Mar",
    "Nov", "Ob", "Pel", "Quin", "Rav", "Sol", "Tal", "Ul", "Ver", "Wex", "Xan", "Yar", "Zen",
)  # fmt: skip
BRAND_TAILS = (
    "ant", "ara", "ex", "ia", "ion", "is", "ium", "ora", "os", "ova", "tis", "yx", "ent",
    "ic", "era", "on", "ari", "eon",
)  # fmt: skip

# (suffix, category slug, what the company does — for its one-line description)
COMPANY_KINDS: tuple[tuple[str, str, str], ...] = (
    ("Labs", "ai", "an AI research company"),
    ("AI", "ai", "a developer of machine-learning models"),
    ("Analytics", "ai", "a data analytics firm"),
    ("Semiconductor", "technology", "a chip designer"),
    ("Cloud", "technology", "a cloud infrastructure provider"),
    ("Networks", "technology", "a telecom equipment maker"),
    ("Systems", "technology", "an enterprise software company"),
    ("Robotics", "technology", "an industrial robotics maker"),
    ("Motors", "technology", "an electric vehicle maker"),
    ("Bank", "markets", "a commercial bank"),
    ("Capital", "markets", "an investment firm"),
    ("Holdings", "markets", "a diversified holding company"),
    ("Exchange", "crypto", "a digital asset exchange"),
    ("Pay", "crypto", "a payments company"),
    ("Energy", "energy", "an energy producer"),
    ("Power", "energy", "a utility"),
    ("Materials", "energy", "a battery materials supplier"),
    ("Therapeutics", "science", "a biotechnology company"),
    ("Space", "science", "a satellite launch company"),
    ("Security", "security", "a cybersecurity vendor"),
    ("Shield", "security", "an identity security startup"),
    ("Ventures", "startups", "a venture studio"),
)
CITIES = (
    "Lisbon", "Toronto", "Singapore", "Berlin", "Austin", "Seoul", "Nairobi", "Zurich",
    "Dublin", "Sydney", "Bangalore", "Tel Aviv", "Stockholm", "Sao Paulo", "Tokyo", "Denver",
)  # fmt: skip

# (role, category slug) — the person is tied to an entity of the given type.
PERSON_ROLES: tuple[tuple[str, str], ...] = (
    ("chief executive of", "company"),
    ("co-founder of", "company"),
    ("chief financial officer of", "company"),
    ("head of research at", "company"),
    ("chair of", "organization"),
    ("chief economist at", "organization"),
    ("finance minister of", "country"),
    ("central bank governor of", "country"),
)

ORG_REGIONS = (
    "Atlantic", "Pacific", "Northern", "Continental", "Meridian", "Coastal", "Boreal",
    "Austral", "Interregional", "Highland", "Harbor", "Transoceanic",
)  # fmt: skip
# (field, category slug)
ORG_FIELDS: tuple[tuple[str, str], ...] = (
    ("Monetary", "economy"),
    ("Banking", "economy"),
    ("Payments", "economy"),
    ("Securities", "markets"),
    ("Markets", "markets"),
    ("Energy", "energy"),
    ("Climate", "energy"),
    ("Digital", "technology"),
    ("Telecom", "technology"),
    ("Standards", "technology"),
    ("Trade", "policy"),
    ("Competition", "policy"),
    ("Data Protection", "security"),
    ("Cybersecurity", "security"),
    ("Research", "science"),
)
ORG_BODIES = (
    "Authority", "Commission", "Council", "Agency", "Board", "Institute", "Forum",
    "Alliance", "Bureau", "Foundation",
)  # fmt: skip

# (name, aliases, Wikidata id)
COUNTRIES: tuple[tuple[str, tuple[str, ...], str], ...] = (
    ("United States", ("US", "USA"), "Q30"),
    ("China", ("PRC",), "Q148"),
    ("Japan", ("JP",), "Q17"),
    ("Germany", ("DE",), "Q183"),
    ("United Kingdom", ("UK", "Britain"), "Q145"),
    ("France", ("FR",), "Q142"),
    ("India", ("IN",), "Q668"),
    ("Brazil", ("BR",), "Q155"),
    ("Canada", ("CA",), "Q16"),
    ("South Korea", ("Korea", "KR"), "Q884"),
    ("Australia", ("AU",), "Q408"),
    ("Singapore", ("SG",), "Q334"),
    ("Switzerland", ("CH",), "Q39"),
    ("United Arab Emirates", ("UAE",), "Q878"),
    ("Saudi Arabia", ("KSA",), "Q851"),
    ("Mexico", ("MX",), "Q96"),
    ("Indonesia", ("ID",), "Q252"),
    ("Nigeria", ("NG",), "Q1033"),
    ("South Africa", ("ZA",), "Q258"),
    ("Argentina", ("AR",), "Q414"),
    ("Turkey", ("Turkiye", "TR"), "Q43"),
    ("Netherlands", ("NL", "Holland"), "Q55"),
    ("Sweden", ("SE",), "Q34"),
    ("Norway", ("NO",), "Q20"),
    ("Spain", ("ES",), "Q29"),
    ("Italy", ("IT",), "Q38"),
    ("Poland", ("PL",), "Q36"),
    ("Vietnam", ("VN",), "Q881"),
    ("Israel", ("IL",), "Q801"),
    ("Taiwan", ("TW",), "Q865"),
    ("Hong Kong", ("HK",), "Q8646"),
    ("Kenya", ("KE",), "Q114"),
    ("Chile", ("CL",), "Q298"),
    ("Egypt", ("EG",), "Q79"),
    ("Thailand", ("TH",), "Q869"),
    ("Ireland", ("IE",), "Q27"),
    ("Estonia", ("EE",), "Q191"),
    ("El Salvador", ("SV",), "Q792"),
    ("European Union", ("EU",), "Q458"),
    ("Philippines", ("PH",), "Q928"),
)

CRYPTO_SUFFIXES = ("", "", "Coin", "Chain", "Protocol", "Network", "Finance", "Swap")

# (model word, product kind, category slug)
PRODUCT_MODELS = (
    "Pro",
    "One",
    "Studio",
    "Edge",
    "Pulse",
    "Vision",
    "Core",
    "Nova",
    "Flux",
    "Prism",
)
PRODUCT_KINDS: tuple[tuple[str, str], ...] = (
    ("large language model", "ai"),
    ("AI accelerator chip", "ai"),
    ("coding assistant", "ai"),
    ("smartphone", "technology"),
    ("cloud database", "technology"),
    ("mixed-reality headset", "technology"),
    ("electric SUV", "technology"),
    ("home battery system", "energy"),
    ("payments app", "crypto"),
    ("hardware wallet", "crypto"),
    ("endpoint security suite", "security"),
    ("gene sequencing platform", "science"),
)
PRODUCT_VERSIONS = ("", "", "2", "3", "X", "Max", "Lite", "Ultra")

# (name, aliases, category slug)
TOPICS: tuple[tuple[str, tuple[str, ...], str], ...] = (
    ("Interest Rates", ("rates",), "economy"),
    ("Inflation", ("CPI",), "economy"),
    ("Labor Market", ("jobs",), "economy"),
    ("Housing Market", ("real estate",), "economy"),
    ("Tariffs", ("trade war",), "policy"),
    ("Export Controls", (), "policy"),
    ("Antitrust", ("competition law",), "policy"),
    ("Data Privacy", ("privacy",), "security"),
    ("Ransomware", (), "security"),
    ("Supply Chain Attacks", (), "security"),
    ("AI Safety", ("AI alignment",), "ai"),
    ("Open-Source AI", ("open models",), "ai"),
    ("AI Chips", ("accelerators",), "ai"),
    ("Stablecoins", (), "crypto"),
    ("Tokenization", ("real-world assets", "RWA"), "crypto"),
    ("DeFi", ("decentralized finance",), "crypto"),
    ("Central Bank Digital Currencies", ("CBDC",), "crypto"),
    ("Crypto ETFs", (), "crypto"),
    ("IPOs", ("listings",), "markets"),
    ("Mergers and Acquisitions", ("M&A",), "markets"),
    ("Earnings Season", ("earnings",), "markets"),
    ("Venture Funding", ("VC",), "startups"),
    ("Layoffs", ("job cuts",), "startups"),
    ("Cloud Computing", ("cloud",), "technology"),
    ("Semiconductor Supply Chain", ("chip supply",), "technology"),
    ("Quantum Computing", (), "science"),
    ("Gene Editing", ("CRISPR",), "science"),
    ("Nuclear Power", ("nuclear",), "energy"),
    ("Solar Energy", ("solar",), "energy"),
    ("Battery Storage", (), "energy"),
)

# How many entities of each kind the catalog holds (countries and topics: the whole list).
COMPANY_COUNT = 120
PERSON_COUNT = 90
ORGANIZATION_COUNT = 40
CRYPTO_COUNT = 40
PRODUCT_COUNT = 40
