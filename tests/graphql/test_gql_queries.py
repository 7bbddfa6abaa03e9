"""Every root field, the node interface and the article's relations, on the seeded corpus."""

from __future__ import annotations

import base64

import pytest

from tests.fixtures.graphql_corpus import ENTITIES, SOURCES, Corpus
from tests.fixtures.graphql_errors import Gql, codes

# Marked at collection time so anyio keeps the database_url parametrisation (see conftest).
pytestmark = pytest.mark.anyio


def gid(type_name: str, key: str) -> str:
    return base64.b64encode(f"{type_name}:{key}".encode()).decode()


ARTICLE_FIELDS = """
  id articleId slug title url author publishedAt createdAt updatedAt imageUrl imageCredit
  sentiment sentimentScore importance summary language version
  source { id slug name homepageUrl feedUrl logoUrl }
  category { id slug name icon }
  mentions { salience sentiment entity { slug name type } }
  keyTakeaways analysis
"""


async def test_article_by_public_id_global_id_and_slug(gql: Gql, corpus: Corpus) -> None:
    story = corpus.by_pk(42)
    query = (
        f"query($id: ID, $slug: String) {{ article(id: $id, slug: $slug) {{ {ARTICLE_FIELDS} }} }}"
    )
    by_id = await gql(query, {"id": story.public_id})
    by_global = await gql(query, {"id": gid("Article", story.public_id)})
    by_slug = await gql(query, {"slug": story.slug})
    article = by_id["data"]["article"]
    assert article == by_global["data"]["article"] == by_slug["data"]["article"]
    assert article["id"] == gid("Article", story.public_id)
    assert article["articleId"] == story.public_id
    assert article["slug"] == story.slug
    assert article["sentiment"] == story.sentiment.upper()
    assert article["importance"] == story.importance
    assert article["publishedAt"].startswith(story.published_at.strftime("%Y-%m-%dT%H:%M:%S"))
    assert article["source"]["slug"] == story.source
    assert article["category"]["slug"] == story.category
    assert [m["entity"]["slug"] for m in article["mentions"]] == list(story.entities)
    assert article["analysis"] == ["Analysis 42.1", "Analysis 42.2"]
    assert article["keyTakeaways"] == ["Takeaway 42"]


async def test_article_unknown_is_null_and_bad_arguments_are_errors(
    gql: Gql, corpus: Corpus
) -> None:
    for args in ('slug: "no-such-story"', 'id: "0190ffff-0000-0000-0000-000000000000"'):
        assert (await gql(f"{{ article({args}) {{ slug }} }}"))["data"] == {"article": None}
    # A global id of another type is simply not an article.
    wrong_type = await gql(f'{{ article(id: "{gid("Source", "alpha-news")}") {{ slug }} }}')
    assert wrong_type["data"] == {"article": None}
    for args in ("", f'id: "x", slug: "{corpus.by_pk(1).slug}"'):
        payload = await gql(f"{{ article{'(' + args + ')' if args else ''} {{ slug }} }}")
        assert payload["data"] == {"article": None}
        assert codes(payload) == ["BAD_USER_INPUT"]
        assert payload["errors"][0]["extensions"]["argument"] == "id"


async def test_article_relations(gql: Gql, corpus: Corpus) -> None:
    story = corpus.by_pk(9)  # links: follow_up -> 8 (0.8), background -> 7 (no score)
    payload = await gql(
        """query($slug: String) { article(slug: $slug) {
             companies: entities(type: COMPANY) { slug }
             all: entities { slug type }
             relatedLinks { kind score article { slug category { slug } } }
             related(first: 5) { score article { slug }
                                 explanation { kind linkKind
                                               sharedEntities { entity { slug name } } } }
             one: related(first: 1) { article { slug } }
           } }""",
        {"slug": story.slug},
    )
    article = payload["data"]["article"]
    types = {slug: type_ for slug, _name, type_, _ticker in ENTITIES}
    assert [e["slug"] for e in article["all"]] == list(story.entities)
    assert [e["slug"] for e in article["companies"]] == [
        slug for slug in story.entities if types[slug] == "company"
    ]
    assert [
        (link["kind"], link["score"], link["article"]["slug"]) for link in article["relatedLinks"]
    ] == [
        ("FOLLOW_UP", 0.8, "story-0008"),
        ("BACKGROUND", None, "story-0007"),
    ]
    related = article["related"]
    # Stored links first, then articles sharing entities with story 9.
    assert [(r["article"]["slug"], r["explanation"]["kind"]) for r in related[:2]] == [
        ("story-0008", "FOLLOW_UP"),
        ("story-0007", "BACKGROUND"),
    ]
    assert [r["explanation"]["linkKind"] for r in related[:2]] == ["FOLLOW_UP", "BACKGROUND"]
    assert all(r["explanation"]["sharedEntities"] == [] for r in related[:2])
    assert len(related) == 5
    by_slug = {a.slug: a for a in corpus.articles}
    for item in related[2:]:
        assert item["explanation"]["kind"] == "SHARED_ENTITIES"
        assert item["explanation"]["linkKind"] is None
        other = by_slug[item["article"]["slug"]]
        shared = {e["entity"]["slug"] for e in item["explanation"]["sharedEntities"]}
        assert shared and shared == set(story.entities) & set(other.entities)
    assert len(article["one"]) == 1


async def test_articles_connection_shape(gql: Gql, corpus: Corpus) -> None:
    payload = await gql(
        """{ articles(first: 3) {
              totalCount
              pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
              edges { cursor node { slug } }
              nodes { slug } } }"""
    )
    connection = payload["data"]["articles"]
    expected = [a.slug for a in corpus.newest_first()[:3]]
    assert [e["node"]["slug"] for e in connection["edges"]] == expected
    assert [n["slug"] for n in connection["nodes"]] == expected
    assert connection["totalCount"] == len(corpus.articles)
    info = connection["pageInfo"]
    assert info["hasNextPage"] is True and info["hasPreviousPage"] is False
    assert info["startCursor"] == connection["edges"][0]["cursor"]
    assert info["endCursor"] == connection["edges"][-1]["cursor"]
    # Any edge's cursor resumes right after that edge.
    second = connection["edges"][1]["cursor"]
    resumed = await gql(
        "query($after: String) { articles(first: 1, after: $after) { nodes { slug } } }",
        {"after": second},
    )
    assert resumed["data"]["articles"]["nodes"] == [{"slug": expected[2]}]


async def test_entity_and_its_articles(gql: Gql, corpus: Corpus) -> None:
    payload = await gql(
        """{ entity(slug: "bitcoin") {
              id slug name type aliases ticker wikidataId homepageUrl description mentionCount
              articles(first: 100) { totalCount nodes { slug } } }
            missing: entity(slug: "dogecoin") { slug } }"""
    )
    entity = payload["data"]["entity"]
    mentioning = [a.slug for a in corpus.newest_first() if "bitcoin" in a.entities]
    assert entity["id"] == gid("Entity", "bitcoin")
    assert (entity["name"], entity["type"], entity["ticker"]) == (
        "Bitcoin",
        "CRYPTOCURRENCY",
        "BTC",
    )
    assert entity["aliases"] == ["BITCOIN"]
    assert entity["mentionCount"] == len(mentioning)
    assert entity["articles"]["totalCount"] == len(mentioning)
    assert [n["slug"] for n in entity["articles"]["nodes"]] == mentioning
    assert payload["data"]["missing"] is None


async def test_mentioned_entity_details_load_on_demand(gql: Gql, corpus: Corpus) -> None:
    payload = await gql(
        """{ article(slug: "story-0002") { mentions { entity {
              slug ticker aliases description mentionCount } } } }"""
    )
    entities = [m["entity"] for m in payload["data"]["article"]["mentions"]]
    by_slug = {e["slug"]: e for e in entities}
    assert by_slug["bitcoin"]["ticker"] == "BTC"
    assert by_slug["bitcoin"]["description"] == "About Bitcoin."
    assert all(e["mentionCount"] > 0 for e in entities)


async def test_entities_listing(gql: Gql, corpus: Corpus) -> None:
    payload = await gql("{ entities(first: 100) { nodes { slug } pageInfo { hasNextPage } } }")
    everything = [n["slug"] for n in payload["data"]["entities"]["nodes"]]
    # Ordered by name in the database's collation (SQLite: binary; PostgreSQL: locale).
    assert sorted(everything) == sorted(slug for slug, *_ in ENTITIES)
    assert payload["data"]["entities"]["pageInfo"]["hasNextPage"] is False
    crypto = await gql("{ entities(type: CRYPTOCURRENCY) { nodes { slug } } }")
    assert [n["slug"] for n in crypto["data"]["entities"]["nodes"]] == ["bitcoin", "ethereum"]
    prefix = await gql('{ entities(query: "s") { nodes { slug } } }')
    assert {n["slug"] for n in prefix["data"]["entities"]["nodes"]} == {"sam-altman", "sec"}
    # Paging two at a time visits every entity once, in order.
    seen: list[str] = []
    after = None
    while True:
        page = await gql(
            "query($a: String) { entities(first: 2, after: $a) "
            "{ edges { cursor node { slug } } pageInfo { hasNextPage endCursor } } }",
            {"a": after},
        )
        connection = page["data"]["entities"]
        seen += [e["node"]["slug"] for e in connection["edges"]]
        if not connection["pageInfo"]["hasNextPage"]:
            break
        after = connection["pageInfo"]["endCursor"]
    assert seen == everything


async def test_sources_categories_and_source_articles(gql: Gql, corpus: Corpus) -> None:
    payload = await gql(
        """{ sources { id slug name feedUrl }
            categories { id slug name icon }
            source(slug: "beta-wire") { slug articles(first: 5, orderBy: IMPORTANCE) {
              totalCount nodes { slug source { slug } } } }
            missing: source(slug: "nobody") { slug } }"""
    )
    data = payload["data"]
    assert [s["slug"] for s in data["sources"]] == sorted(SOURCES)
    assert data["sources"][0]["id"] == gid("Source", "alpha-news")
    assert [c["slug"] for c in data["categories"]] == ["ai", "crypto", "markets"]
    assert data["categories"][0]["icon"] == "🧠"
    beta = [a for a in corpus.by_importance() if a.source == "beta-wire"]
    assert data["source"]["articles"]["totalCount"] == len(beta)
    assert [n["slug"] for n in data["source"]["articles"]["nodes"]] == [a.slug for a in beta[:5]]
    assert data["missing"] is None


async def test_node_resolves_every_type_and_nulls_the_rest(gql: Gql, corpus: Corpus) -> None:
    story = corpus.by_pk(5)
    ids = {
        "a": gid("Article", story.public_id),
        "e": gid("Entity", "sec"),
        "s": gid("Source", "gamma-daily"),
        "c": gid("Category", "markets"),
        "unknown": gid("Article", "0190ffff-0000-0000-0000-000000000000"),
        "badType": gid("Person", "x"),
        "garbage": "%%%not-base64%%%",
        "noColon": base64.b64encode(b"Article").decode(),
    }
    fields = " ".join(
        f'{alias}: node(id: "{value}") {{ __typename id '
        "... on Article { slug } ... on Entity { name } ... on Source { name } "
        "... on Category { name } }"
        for alias, value in ids.items()
    )
    data = (await gql(f"{{ {fields} }}"))["data"]
    assert data["a"] == {"__typename": "Article", "id": ids["a"], "slug": story.slug}
    assert data["e"] == {"__typename": "Entity", "id": ids["e"], "name": "SEC"}
    assert data["s"]["__typename"] == "Source" and data["s"]["id"] == ids["s"]
    assert data["c"] == {"__typename": "Category", "id": ids["c"], "name": "Markets"}
    for alias in ("unknown", "badType", "garbage", "noColon"):
        assert data[alias] is None


async def test_node_ids_round_trip(gql: Gql, corpus: Corpus) -> None:
    first = await gql(
        '{ articles(first: 1, filter: {category: "ai"}) { nodes { id source { id } category { id } '
        "mentions { entity { id } } } } }"
    )
    node = first["data"]["articles"]["nodes"][0]
    for global_id in (
        node["id"],
        node["source"]["id"],
        node["category"]["id"],
        node["mentions"][0]["entity"]["id"],
    ):
        again = await gql("query($id: ID!) { node(id: $id) { id } }", {"id": global_id})
        assert again["data"]["node"] == {"id": global_id}
