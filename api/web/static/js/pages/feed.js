// The feed: newest first, filtered by the URL's query string, infinite scroll by cursor.

import { CARD_FIELDS, gql } from "../api.js";
import { articleCard, entityPath, pager, SENTIMENTS, skeletonCards } from "../components.js";
import { h, plural, replace } from "../dom.js";

const PAGE_SIZE = 20;
const QUERY = `
query Feed($filter: ArticleFilter, $first: Int!, $after: String, $full: Boolean!,
           $entity: String!, $withEntity: Boolean!) {
  articles(filter: $filter, first: $first, after: $after) {
    edges { node { ...Card } }
    pageInfo { hasNextPage endCursor }
  }
  categories @include(if: $full) { slug name icon }
  sources @include(if: $full) { slug name }
  trendingEntities(window: DAYS_7, first: 10) @include(if: $full) {
    currentCount entity { slug name type }
  }
  entity(slug: $entity) @include(if: $withEntity) { slug name }
}
${CARD_FIELDS}`;

const FILTERS = ["category", "sentiment", "importance", "source", "entity"];

function readFilters(url) {
  const params = url.searchParams;
  const values = Object.fromEntries(FILTERS.map((name) => [name, params.get(name) || ""]));
  const filter = {};
  if (values.category) filter.category = values.category;
  if (values.sentiment && values.sentiment.toUpperCase() in SENTIMENTS) filter.sentiment = values.sentiment.toUpperCase();
  const importance = Number.parseInt(values.importance, 10);
  if (importance >= 1 && importance <= 10) filter.importanceMin = importance;
  if (values.source) filter.source = values.source;
  if (values.entity) filter.entities = [values.entity];
  return { values, filter };
}

function variables(filter, entity, after = null, full = true) {
  return { filter, first: PAGE_SIZE, after, full, entity: entity || "", withEntity: full && Boolean(entity) };
}

function select(name, label, current, options) {
  const id = `filter-${name}`;
  return h(
    "label",
    { for: id },
    label,
    h(
      "select",
      { id, name },
      options.map(([value, text]) => h("option", { value, selected: value === current }, text)),
    ),
  );
}

function filterForm(values, data, navigate) {
  const entities = data.trendingEntities.map((t) => [t.entity.slug, t.entity.name]);
  if (values.entity && !entities.some(([slug]) => slug === values.entity)) {
    entities.unshift([values.entity, data.entity?.name ?? values.entity]);
  }
  const form = h(
    "form",
    { class: "filters", "aria-label": "Filter the feed", action: "/", method: "get" },
    select("category", "Category", values.category, [
      ["", "All categories"],
      ...data.categories.map((c) => [c.slug, `${c.icon} ${c.name}`]),
    ]),
    select("sentiment", "Sentiment", values.sentiment.toLowerCase(), [
      ["", "Any sentiment"],
      ...Object.entries(SENTIMENTS).map(([value, text]) => [value.toLowerCase(), text]),
    ]),
    select("importance", "Minimum importance", values.importance, [
      ["", "Any importance"],
      ...Array.from({ length: 9 }, (_, i) => [String(10 - i), i ? `${10 - i}/10 or more` : "10/10 only"]),
    ]),
    select("source", "Source", values.source, [["", "All sources"], ...data.sources.map((s) => [s.slug, s.name])]),
    select("entity", "Entity", values.entity, [["", "Any entity"], ...entities]),
    FILTERS.some((name) => values[name]) ? h("a", { class: "clear", href: "/" }, "Clear filters") : null,
  );
  // Every change is a new, shareable URL; the router renders it.
  form.addEventListener("change", () => {
    const params = new URLSearchParams();
    for (const [name, value] of new FormData(form)) if (value) params.set(name, value);
    const query = params.toString();
    navigate(query ? `/?${query}` : "/", { keepFocus: true });
  });
  form.addEventListener("submit", (event) => event.preventDefault());
  return form;
}

function trendingBox(trending) {
  return h(
    "section",
    { class: "aside-box", "aria-labelledby": "trending-title" },
    h("h2", { class: "section-title", id: "trending-title" }, "Trending this week"),
    trending.length
      ? h(
          "ol",
          { class: "rank-list" },
          trending.map((t) =>
            h("li", {}, h("a", { href: entityPath(t.entity.slug) }, t.entity.name), h("span", { class: "count" }, plural(t.currentCount, "article"))),
          ),
        )
      : h("p", {}, "Nothing is trending yet."),
  );
}

export function skeleton(main) {
  replace(
    main,
    h("h1", { class: "page-title", tabindex: "-1" }, "Latest news"),
    h("div", { class: "filters skeleton", "aria-hidden": "true" }, Array.from({ length: 5 }, () => h("span", { class: "bar" }))),
    h("ul", { class: "cards", "aria-busy": "true" }, skeletonCards(6)),
  );
}

export async function render(main, { url, signal, navigate }) {
  const { values, filter } = readFilters(url);
  const data = await gql(QUERY, variables(filter, values.entity), { signal });
  const connection = data.articles;
  const filtered = Object.keys(filter).length > 0;
  document.title = filtered ? "Filtered feed · Broadsheet" : "Latest news · Broadsheet";
  const list = h("ul", { class: "cards", id: "feed" }, connection.edges.map((e) => articleCard(e.node)));
  const more = pager(list, {
    pageInfo: connection.pageInfo,
    fetchPage: async (after) => {
      const page = await gql(QUERY, variables(filter, values.entity, after, false), { signal });
      return { items: page.articles.edges.map((e) => e.node), pageInfo: page.articles.pageInfo };
    },
    render: (article) => articleCard(article),
  });
  replace(
    main,
    h(
      "div",
      { class: "feed-head" },
      h("h1", { class: "page-title", tabindex: "-1" }, filtered ? "Filtered news" : "Latest news"),
    ),
    filterForm(values, data, navigate),
    h(
      "div",
      { class: "feed-layout" },
      h(
        "section",
        { "aria-label": "Articles" },
        connection.edges.length
          ? [list, more]
          : h("p", { class: "notice" }, "No articles match these filters. ", h("a", { href: "/" }, "Clear filters")),
      ),
      h("aside", { "aria-label": "Trending" }, trendingBox(data.trendingEntities)),
    ),
  );
}
