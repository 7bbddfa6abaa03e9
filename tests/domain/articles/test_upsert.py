"""Ingest: input schemas, the upsert service and the constraints behind them, on both DBs."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError
from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError

from api.db.database import Database
from api.domain.articles.inputs import ArticleCreate, error_path, ingest_json_schema_text
from api.domain.articles.references import BatchRefs, IngestItemError
from api.domain.articles.upsert import UpsertOutcome, derive_slug, upsert_articles
from api.domain.changes.log import ChangeEntry
from api.models import (
    Article,
    ArticleLink,
    Base,
    Category,
    Entity,
    LinkKind,
    Mention,
    Sentiment,
    Source,
)

# Mark at collection time: the conftest hook marks too late for the installed anyio
# plugin, which then drops the database_url backend parameter from async tests.
pytestmark = pytest.mark.anyio

SCHEMA_FILE = Path(__file__).resolve().parents[3] / "schema" / "ingest.schema.json"
SOURCE = {"slug": "wire", "name": "The Wire", "homepage_url": "https://wire.example"}
ENTITY = {"slug": "acme", "name": "Acme Corp", "type": "company", "ticker": "ACME"}


def payload(url: str = "https://news.example/a", **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "url": url,
        "title": "Chip maker faces export ban",
        "source": SOURCE,
        "category": {"slug": "ai", "name": "AI", "icon": "🧠"},
        "author": "Editorial Team",
        "published_at": "2024-05-01T12:00:00+02:00",
        "sentiment": "bearish",
        "importance": 7,
        "summary": "A short machine-written summary.",
        "analysis": ["First paragraph.", "Second paragraph."],
        "key_takeaways": ["One", "Two"],
        "mentions": [{"entity": ENTITY, "salience": 0.9, "sentiment": "bearish"}],
    }
    return data | overrides


def article(url: str = "https://news.example/a", **overrides: Any) -> ArticleCreate:
    return ArticleCreate.model_validate(payload(url, **overrides))


async def upsert(database: Database, *items: ArticleCreate) -> list[UpsertOutcome]:
    async with database.session(write=True) as session:
        return await upsert_articles(session, items)


async def count(database: Database, model: type[Base]) -> int:
    async with database.session() as session:
        return (await session.scalar(select(func.count()).select_from(model))) or 0


async def stored(database: Database, url: str) -> Article:
    async with database.session() as session:
        return (await session.scalars(select(Article).where(Article.url == url))).one()


# --- the upsert service ---------------------------------------------------------------


async def test_create_then_same_payload_is_unchanged(database: Database) -> None:
    [first] = await upsert(database, article())
    assert first.status == "created"
    before = await stored(database, first.url)
    assert (before.version, before.public_id, before.slug) == (1, first.public_id, before.slug)
    assert before.slug == derive_slug("Chip maker faces export ban", first.url)
    assert before.published_at == dt.datetime(2024, 5, 1, 10, tzinfo=dt.UTC)

    [again] = await upsert(database, article())
    after = await stored(database, first.url)
    assert again.status == "unchanged"
    assert (after.version, after.updated_at) == (1, before.updated_at)


async def test_changed_title_updates_and_bumps_version(database: Database) -> None:
    [created] = await upsert(database, article())
    [updated] = await upsert(database, article(title="Chip maker wins export appeal"))
    row = await stored(database, created.url)
    assert (updated.status, updated.public_id) == ("updated", created.public_id)
    assert (row.version, row.title) == (2, "Chip maker wins export appeal")
    assert row.slug == derive_slug("Chip maker faces export ban", created.url)  # slugs stay put


async def test_omitted_optional_fields_keep_stored_values(database: Database) -> None:
    await upsert(database, article())
    minimal = {k: v for k, v in payload().items() if k not in {"author", "mentions", "category"}}
    [outcome] = await upsert(database, ArticleCreate.model_validate(minimal))
    assert outcome.status == "unchanged"
    assert (await count(database, Mention)) == 1


async def test_mentions_are_replaced_as_a_set(database: Database) -> None:
    await upsert(database, article())
    other = {"slug": "globex", "name": "Globex", "type": "company"}
    [outcome] = await upsert(database, article(mentions=[{"entity": other, "salience": 0.4}]))
    assert outcome.status == "updated"
    async with database.session() as session:
        slugs = await session.scalars(select(Entity.slug).join(Mention))
        assert list(slugs) == ["globex"]
    assert (await count(database, Entity)) == 2  # entities outlive their mentions


async def test_inline_references_are_created_then_reused_by_slug(database: Database) -> None:
    by_slug = {"source": "wire", "category": "ai", "mentions": [{"entity": "acme", "salience": 1}]}
    outcomes = await upsert(database, article(), article("https://news.example/b", **by_slug))
    assert [o.status for o in outcomes] == ["created", "created"]
    assert [await count(database, m) for m in (Source, Category, Entity, Mention)] == [1, 1, 1, 2]

    renamed = SOURCE | {"name": "The Wire Daily"}
    await upsert(database, article(source=renamed), article("https://news.example/b", **by_slug))
    await upsert(database, article(source=renamed))  # same attributes: no write
    async with database.session() as session:
        source = (await session.scalars(select(Source))).one()
    assert (source.name, source.version) == ("The Wire Daily", 2)


async def test_links_within_a_batch_and_to_stored_articles(database: Database) -> None:
    a, b, c = (f"https://news.example/{name}" for name in "abc")
    await upsert(
        database,
        article(a, links=[{"url": b, "kind": "follow_up", "score": 0.5}]),
        article(b),
    )
    await upsert(database, article(c, links=[{"url": a, "kind": "background"}]))
    async with database.session() as session:
        source = Article.__table__.alias("source_article")
        target = Article.__table__.alias("target_article")
        rows = await session.execute(
            select(source.c.url, target.c.url, ArticleLink.kind, ArticleLink.score)
            .join(source, source.c.id == ArticleLink.from_article_id)
            .join(target, target.c.id == ArticleLink.to_article_id)
            .order_by(source.c.url)
        )
        assert [tuple(row) for row in rows] == [
            (a, b, "follow_up", 0.5),
            (c, a, "background", None),
        ]
    [again] = await upsert(database, article(c, links=[{"url": a, "kind": "background"}]))
    assert again.status == "unchanged"

    # A stored article re-pointed at an article created in the same batch.
    d = "https://news.example/d"
    outcomes = await upsert(
        database, article(c, links=[{"url": d, "kind": "same_story"}]), article(d)
    )
    assert [o.status for o in outcomes] == ["updated", "created"]
    assert (await stored(database, c)).version == 2
    assert (await count(database, ArticleLink)) == 2


async def test_derived_slug_collision_gets_a_suffix(database: Database) -> None:
    url = "https://news.example/b"
    taken = derive_slug("Chip maker faces export ban", url)
    await upsert(database, article(slug=taken))
    [outcome] = await upsert(database, article(url))
    assert outcome.status == "created"
    assert (await stored(database, url)).slug == f"{taken}-2"


BadBatch = Callable[[], list[ArticleCreate]]
FAILURES: dict[str, tuple[BadBatch, str]] = {
    "unknown source slug": (
        lambda: [article(), article("https://x.example/2", source="nope")],
        "source",
    ),
    "unknown entity slug": (
        lambda: [
            article(),
            article("https://x.example/2", mentions=[{"entity": "nope", "salience": 1}]),
        ],
        "mentions[0].entity",
    ),
    "link to unknown url": (
        lambda: [
            article(),
            article(
                "https://x.example/2", links=[{"url": "https://x.example/9", "kind": "same_story"}]
            ),
        ],
        "links[0].url",
    ),
    "self link": (
        lambda: [
            article(),
            article(
                "https://x.example/2", links=[{"url": "https://x.example/2", "kind": "same_story"}]
            ),
        ],
        "links[0].url",
    ),
    "explicit slug collision": (
        lambda: [article(), article("https://x.example/2", slug="taken-slug")],
        "slug",
    ),
    "same url twice": (lambda: [article(), article()], "url"),
}


@pytest.mark.parametrize("case", FAILURES)
async def test_a_bad_item_fails_the_batch_and_writes_nothing(database: Database, case: str) -> None:
    make_batch, field = FAILURES[case]
    await upsert(database, article("https://x.example/seed", slug="taken-slug", mentions=[]))
    before = [await count(database, m) for m in (Article, Source, Category, Entity, Mention)]
    with pytest.raises(IngestItemError) as excinfo:
        await upsert(database, *make_batch())
    assert (excinfo.value.index, excinfo.value.field) == (1, field)
    assert [
        await count(database, m) for m in (Article, Source, Category, Entity, Mention)
    ] == before


# --- constraints the database enforces on its own (bypassing pydantic) -----------------


def raw_article(source: Source, url: str = "https://raw.example/a", **overrides: Any) -> Article:
    values: dict[str, Any] = {
        "public_id": url[-36:],
        "slug": url.rsplit("/", 1)[-1],
        "title": "Raw",
        "url": url,
        "source": source,
        "published_at": dt.datetime(2024, 1, 1, tzinfo=dt.UTC),
        "sentiment": Sentiment.NEUTRAL,
        "importance": 5,
        "summary": "s",
    }
    return Article(**(values | overrides))


def raw_source() -> Source:
    return Source(slug="raw", name="Raw", homepage_url="https://raw.example")


async def write(database: Database, *rows: Base) -> None:
    """Insert rows one flush at a time, in one transaction, straight through the ORM."""
    async with database.session(write=True) as session:
        for row in rows:
            session.add(row)
            await session.flush()


@pytest.mark.parametrize("importance", [0, 11])
async def test_db_rejects_importance_0_and_11(database: Database, importance: int) -> None:
    with pytest.raises(IntegrityError):
        await write(database, raw_article(raw_source(), importance=importance))
    assert (await count(database, Article)) == 0


async def test_db_rejects_duplicate_url(database: Database) -> None:
    source = raw_source()
    first = raw_article(source, slug="one")
    second = raw_article(source, slug="two", public_id="another-public-id")
    with pytest.raises(IntegrityError):
        await write(database, first, second)
    assert (await count(database, Article)) == 0


async def test_db_rejects_self_link(database: Database) -> None:
    row = raw_article(raw_source())
    row.links = [ArticleLink(target=row, kind=LinkKind.SAME_STORY)]
    with pytest.raises(IntegrityError):
        await write(database, row)
    assert (await count(database, ArticleLink)) == 0


# --- the input schema ----------------------------------------------------------------


def errors_of(data: dict[str, Any]) -> dict[str, str]:
    with pytest.raises(ValidationError) as excinfo:
        ArticleCreate.model_validate(data)
    return {error_path(e["loc"]): e["msg"] for e in excinfo.value.errors()}


@pytest.mark.parametrize("field", ["id", "public_id", "version", "created_at"])
def test_server_owned_fields_are_refused(field: str) -> None:
    errors = errors_of(payload() | {field: 1})
    assert errors == {field: "Extra inputs are not permitted"}


def test_naive_datetime_is_refused() -> None:
    assert "time zone" in errors_of(payload(published_at="2024-05-01T12:00:00"))["published_at"]


@pytest.mark.parametrize(
    ("overrides", "path"),
    [
        ({"title": "a\x00b"}, "title"),
        ({"analysis": ["ok", "bad\x00"]}, "analysis[1]"),
        ({"source": "wi\x00re"}, "source"),
        (
            {"mentions": [{"entity": ENTITY | {"name": "A\x00"}, "salience": 1}]},
            "mentions[0].entity.name",
        ),
    ],
)
def test_nul_bytes_are_refused(overrides: dict[str, Any], path: str) -> None:
    assert "NUL" in errors_of(payload(**overrides))[path]


@pytest.mark.parametrize("importance", [0, 11, True, "7"])
def test_importance_must_be_an_int_from_1_to_10(importance: object) -> None:
    assert "importance" in errors_of(payload(importance=importance))


def test_duplicate_entity_and_bad_urls_are_refused() -> None:
    twice = [{"entity": "acme", "salience": 1}, {"entity": ENTITY, "salience": 0.5}]
    assert "twice" in errors_of(payload(mentions=twice))["mentions"]
    assert "url" in errors_of(payload(url="ftp://news.example/a"))
    assert "links[0].url" in errors_of(payload(links=[{"url": "not a url", "kind": "same_story"}]))


def test_url_is_kept_but_scheme_and_host_are_lowercased() -> None:
    url = ArticleCreate.model_validate(payload(url=" HTTPS://News.Example/Path?Q=1 ")).url
    assert url == "https://news.example/Path?Q=1"


def test_committed_ingest_schema_is_current() -> None:
    assert SCHEMA_FILE.read_text(encoding="utf-8") == ingest_json_schema_text(), (
        "schema/ingest.schema.json is stale: regenerate it from ingest_json_schema_text()"
    )


async def test_a_reference_another_writer_created_meanwhile_is_updated_not_refused(
    database: Database,
) -> None:
    """PostgreSQL writers run in parallel: a new entity this batch defines may be stored by
    another batch between this one's read and its insert. It is then a stored row that the
    definition changes (logged as an update), never a unique-key failure."""
    defined = {"slug": "newco", "name": "NewCo", "type": "company", "ticker": "NEW"}
    item = article(mentions=[{"entity": defined, "salience": 0.5}])
    async with database.session(write=True) as session:
        refs = await BatchRefs.load(session, [item])
        assert "newco" not in refs.entities.stored
        # The other writer's row, as it appears once that writer commits.
        await session.execute(
            insert(Entity).values(slug="newco", name="Newco (first seen)", type="company")
        )
        await refs.write(session, [item])
        stored = (await session.scalars(select(Entity).where(Entity.slug == "newco"))).one()
        assert refs.entities.ids["newco"] == stored.id
        assert (stored.name, stored.ticker, stored.version) == ("NewCo", "NEW", 2)
        assert refs.entities.changes() == [ChangeEntry("entity", "updated", "newco", 2)]
    async with database.session() as session:
        count = await session.scalar(select(func.count()).select_from(Entity))
    assert count == 1
