"""Invented companies, people, agencies, tokens and products; real countries; generic topics.

Each entity gets a home category (where its stories are usually filed) and links to related
entities (a chief executive and her company, a product and its maker) so that articles
mention things that plausibly belong together.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from typing import TYPE_CHECKING

from api.demo import vocab
from api.demo.keys import slugify
from api.models.enums import EntityType

if TYPE_CHECKING:
    from api.demo.catalog import Catalog


class EntityBuilder:
    def __init__(
        self,
        catalog: Catalog,
        rng: random.Random,
        category_id: dict[str, int],
        people: Iterator[tuple[str, str]],
        created_at: dt.datetime,
    ) -> None:
        self.catalog, self.rng, self.category_id = catalog, rng, category_id
        self.people, self.created_at = people, created_at
        brands = [h + t.lower() for h in vocab.BRAND_HEADS for t in vocab.BRAND_TAILS]
        rng.shuffle(brands)
        self.brands = iter(b for b in brands if b != "Isis")
        self.tickers: set[str] = set()
        self.slugs: set[str] = set()

    def build(self) -> None:
        companies = self.build_companies()
        organizations = self.build_organizations()
        countries = self.build_countries()
        self.build_people(companies, organizations, countries)
        self.build_crypto(companies)
        self.build_products(companies)
        self.build_topics()

    def wikidata(self, probability: float) -> str | None:
        return (
            f"Q{self.rng.randrange(1_000_000, 130_000_000)}"
            if self.rng.random() < probability
            else None
        )

    def ticker(self, word: str) -> str:
        letters = word.upper().replace(" ", "")
        for candidate in (
            letters[:3],
            letters[:4],
            letters[0] + letters[2:4],
            letters[:2] + letters[-1],
        ):
            if candidate not in self.tickers:
                self.tickers.add(candidate)
                return candidate
        return self.ticker(letters + "X")

    def entity(
        self,
        name: str,
        type_: EntityType,
        category: str,
        *,
        aliases: list[str] | None = None,
        ticker: str | None = None,
        wikidata_id: str | None = None,
        homepage: str | None = None,
        description: str,
    ) -> int:
        slug = slugify(name)
        if slug in self.slugs:
            raise AssertionError(f"duplicate demo entity slug {slug!r}")
        self.slugs.add(slug)
        catalog = self.catalog
        index = len(catalog.entities)
        stamp = self.created_at + dt.timedelta(minutes=7 * index)
        catalog.entities.append(
            {
                "id": index + 1,
                "slug": slug,
                "name": name,
                "type": type_,
                "aliases": aliases or [],
                "ticker": ticker,
                "wikidata_id": wikidata_id,
                "homepage_url": homepage,
                "description": description,
                "created_at": stamp,
                "updated_at": stamp,
                "version": 1,
            }
        )
        catalog.entity_names.append(name)
        catalog.entity_words.append(name.count(" ") + 1)
        catalog.entity_types.append(type_)
        catalog.entity_home.append(self.category_id[category])
        catalog.related.append([])
        return index

    def link(self, a: int, b: int) -> None:
        self.catalog.related[a].append(b)
        self.catalog.related[b].append(a)

    def build_companies(self) -> list[int]:
        rng, result = self.rng, []
        for _ in range(vocab.COMPANY_COUNT):
            brand = next(self.brands)
            suffix, category, what = rng.choice(vocab.COMPANY_KINDS)
            name = f"{brand} {suffix}"
            ticker = self.ticker(brand) if rng.random() < 0.7 else None
            result.append(
                self.entity(
                    name,
                    EntityType.COMPANY,
                    category,
                    aliases=[brand] + ([ticker] if ticker else []),
                    ticker=ticker,
                    wikidata_id=self.wikidata(0.85),
                    homepage=f"https://{brand.lower()}.example",
                    description=f"{name} is {what} based in {rng.choice(vocab.CITIES)}.",
                )
            )
        return result

    def build_organizations(self) -> list[int]:
        rng, result = self.rng, []
        names = [
            (f"{region} {field_} {body}", category)
            for region in vocab.ORG_REGIONS
            for field_, category in vocab.ORG_FIELDS
            for body in vocab.ORG_BODIES
        ]
        for name, category in rng.sample(names, vocab.ORGANIZATION_COUNT):
            acronym = "".join(word[0] for word in name.split())
            focus = name.split(" ", 1)[1].rsplit(" ", 1)[0].lower()
            result.append(
                self.entity(
                    name,
                    EntityType.ORGANIZATION,
                    category,
                    aliases=[acronym],
                    wikidata_id=self.wikidata(0.7),
                    homepage=f"https://{slugify(name).replace('-', '')}.example",
                    description=f"{name} ({acronym}) is a multinational body for {focus} policy.",
                )
            )
        return result

    def build_countries(self) -> list[int]:
        return [
            self.entity(
                name,
                EntityType.COUNTRY,
                "economy" if self.rng.random() < 0.6 else "policy",
                aliases=list(aliases),
                wikidata_id=wikidata_id,
                description=f"Coverage of the economy, politics and markets of {name}.",
            )
            for name, aliases, wikidata_id in vocab.COUNTRIES
        ]

    def build_people(self, companies: list[int], orgs: list[int], countries: list[int]) -> None:
        rng, catalog = self.rng, self.catalog
        pools = {"company": companies, "organization": orgs, "country": countries}
        for _ in range(vocab.PERSON_COUNT):
            first, last = next(self.people)
            role, kind = rng.choice(vocab.PERSON_ROLES)
            affiliation = rng.choice(pools[kind])
            name = f"{first} {last}"
            home = vocab.CATEGORIES[catalog.entity_home[affiliation] - 1][0]
            person = self.entity(
                name,
                EntityType.PERSON,
                home,
                aliases=[last],
                wikidata_id=self.wikidata(0.5),
                description=f"{name} is {role} {catalog.entity_names[affiliation]}.",
            )
            self.link(person, affiliation)

    def build_crypto(self, companies: list[int]) -> None:
        rng, catalog = self.rng, self.catalog
        kinds = (
            "a layer-1 blockchain",
            "a decentralized exchange token",
            "a payments network",
            "a lending protocol",
            "a data-availability network",
            "a privacy-focused coin",
        )
        venues = [c for c in companies if catalog.entity_home[c] == self.category_id["crypto"]]
        for _ in range(vocab.CRYPTO_COUNT):
            brand = next(self.brands)
            suffix = rng.choice(vocab.CRYPTO_SUFFIXES)
            name = f"{brand} {suffix}".strip()
            ticker = self.ticker(brand)
            token = self.entity(
                name,
                EntityType.CRYPTOCURRENCY,
                "crypto",
                aliases=[ticker, brand] if suffix else [ticker],
                ticker=ticker,
                wikidata_id=self.wikidata(0.6),
                homepage=f"https://{brand.lower()}.example",
                description=f"{name} ({ticker}) is {rng.choice(kinds)}.",
            )
            if venues:
                self.link(token, rng.choice(venues))

    def build_products(self, companies: list[int]) -> None:
        rng, catalog = self.rng, self.catalog
        made = 0
        while made < vocab.PRODUCT_COUNT:
            maker = rng.choice(companies)
            brand = catalog.entity_names[maker].split(" ", 1)[0]
            version = rng.choice(vocab.PRODUCT_VERSIONS)
            name = f"{brand} {rng.choice(vocab.PRODUCT_MODELS)} {version}".strip()
            if slugify(name) in self.slugs:
                continue
            kind, category = rng.choice(vocab.PRODUCT_KINDS)
            maker_name = catalog.entity_names[maker]
            product = self.entity(
                name,
                EntityType.PRODUCT,
                category,
                wikidata_id=self.wikidata(0.3),
                homepage=f"https://{brand.lower()}.example/products/{slugify(name)}",
                description=f"{name} is a {kind} from {maker_name}.",
            )
            self.link(product, maker)
            made += 1

    def build_topics(self) -> None:
        for name, aliases, category in vocab.TOPICS:
            self.entity(
                name,
                EntityType.TOPIC,
                category,
                aliases=list(aliases),
                description=f"News and analysis on {name}.",
            )
