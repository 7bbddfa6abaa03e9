// The entity page: who or what it is, its articles (paged), co-occurring entities, trending.

import { CARD_FIELDS, gql } from "../api.js";
import { articleCard, ENTITY_TYPES, entityPath, pager, skeletonBlock, skeletonCards } from "../components.js";
import { h, plural, replace } from "../dom.js";
import { icon } from "../icons.js";
import { NotFound } from "./article.js";

const PAGE_SIZE = 12;
const QUERY = `
query EntityPage($slug: String!, $first: Int!, $after: String, $full: Boolean!) {
  entity(slug: $slug) {
    ...Head @include(if: $full)
    articles(first: $first, after: $after) {
      edges { node { ...Card } }
      pageInfo { hasNextPage endCursor }
    }
  }
  week: trendingEntities(window: DAYS_7, first: 50) @include(if: $full) {
    growth currentCount previousCount entity { slug }
  }
  day: trendingEntities(window: HOURS_24, first: 50) @include(if: $full) {
    growth currentCount previousCount entity { slug }
  }
}
fragment Head on Entity {
  slug name type ticker description homepageUrl aliases mentionCount
  relatedEntities(first: 12) { count entity { slug name type } }
}
${CARD_FIELDS}`;

function trendingStatus(slug, day, week) {
  const find = (list) => {
    const index = list.findIndex((t) => t.entity.slug === slug);
    return index < 0 ? null : { rank: index + 1, ...list[index] };
  };
  const today = find(day);
  const thisWeek = find(week);
  const best = today ?? thisWeek;
  if (!best || best.growth <= 0) {
    return h("p", { class: "trend" }, h("span", { class: "chip" }, "Not trending"), " No rise in mentions this week.");
  }
  const span = today ? "in the last 24 hours" : "this week";
  return h(
    "p",
    { class: "trend" },
    h("span", { class: "chip chip-trending" }, icon("flame"), `Trending #${best.rank}`),
    ` ${plural(best.currentCount, "article")} ${span}, up from ${best.previousCount}.`,
  );
}

function hostname(url) {
  try {
    return new URL(url).hostname;
  } catch {
    return url;
  }
}

function relatedBox(related) {
  return h(
    "section",
    { class: "aside-box", "aria-labelledby": "cooccur-title" },
    h("h2", { class: "section-title", id: "cooccur-title" }, "Often mentioned with"),
    related.length
      ? h(
          "ol",
          { class: "rank-list" },
          related.map((r) =>
            h("li", {}, h("a", { href: entityPath(r.entity.slug) }, r.entity.name), h("span", { class: "count" }, plural(r.count, "shared article"))),
          ),
        )
      : h("p", {}, "No other entity shares its articles yet."),
  );
}

export function skeleton(main) {
  replace(
    main,
    h("div", { class: "entity-head" }, skeletonBlock(3)),
    h("div", { class: "feed-layout" }, h("ul", { class: "cards", "aria-busy": "true" }, skeletonCards(4)), h("div", { class: "aside-box" }, skeletonBlock(6))),
  );
}

export async function render(main, { params, signal }) {
  const slug = params[0];
  const data = await gql(QUERY, { slug, first: PAGE_SIZE, after: null, full: true }, { signal });
  const entity = data.entity;
  if (!entity) throw new NotFound("No entity has this address.");
  document.title = `${entity.name} · Broadsheet`;
  const connection = entity.articles;
  const list = h("ul", { class: "cards", id: "entity-articles" }, connection.edges.map((e) => articleCard(e.node, { headingLevel: 3 })));
  const more = pager(list, {
    pageInfo: connection.pageInfo,
    fetchPage: async (after) => {
      const page = await gql(QUERY, { slug, first: PAGE_SIZE, after, full: false }, { signal });
      return { items: page.entity.articles.edges.map((e) => e.node), pageInfo: page.entity.articles.pageInfo };
    },
    render: (article) => articleCard(article, { headingLevel: 3 }),
  });
  const [typeName] = ENTITY_TYPES[entity.type] ?? [entity.type];
  replace(
    main,
    h(
      "header",
      { class: "entity-head" },
      h("div", { class: "chips" }, h("span", { class: "chip chip-category" }, typeName), entity.ticker ? h("span", { class: "chip" }, entity.ticker) : null),
      h("h1", { tabindex: "-1" }, entity.name),
      entity.description ? h("p", {}, entity.description) : null,
      entity.aliases.length ? h("p", {}, "Also known as ", entity.aliases.join(", ")) : null,
      trendingStatus(entity.slug, data.day, data.week),
      h(
        "dl",
        { class: "stats" },
        h("div", {}, h("dt", {}, "Articles"), h("dd", {}, entity.mentionCount.toLocaleString("en"))),
        entity.homepageUrl
          ? h("div", {}, h("dt", {}, "Website"), h("dd", {}, h("a", { href: entity.homepageUrl, rel: "noopener noreferrer external" }, hostname(entity.homepageUrl))))
          : null,
      ),
      h("p", {}, h("a", { href: `/?entity=${encodeURIComponent(entity.slug)}` }, `Filter the feed by ${entity.name}`)),
    ),
    h(
      "div",
      { class: "feed-layout" },
      h(
        "section",
        { "aria-labelledby": "entity-articles-title" },
        h("h2", { class: "section-title", id: "entity-articles-title" }, `Articles mentioning ${entity.name}`),
        connection.edges.length ? [list, more] : h("p", { class: "notice" }, "No articles mention it yet."),
      ),
      h("aside", { "aria-label": "Related entities" }, relatedBox(entity.relatedEntities)),
    ),
  );
}
