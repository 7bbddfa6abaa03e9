// Search results: ranked hits with highlighted snippets, infinite scroll by cursor.

import { CARD_FIELDS, gql } from "../api.js";
import { articleCard, pager, skeletonCards } from "../components.js";
import { h, replace } from "../dom.js";

const PAGE_SIZE = 20;
const QUERY = `
query Search($q: String!, $first: Int!, $after: String) {
  search(query: $q, first: $first, after: $after) {
    edges { snippet node { ...Card } }
    pageInfo { hasNextPage endCursor }
  }
}
${CARD_FIELDS}`;

function form(q) {
  return h(
    "form",
    { class: "search-page-form", role: "search", action: "/search", method: "get" },
    h("label", { class: "visually-hidden", for: "search-page-q" }, "Search articles"),
    h("input", { id: "search-page-q", name: "q", type: "search", value: q, required: true }),
    h("button", { type: "submit" }, "Search"),
  );
}

const hit = (edge) => articleCard(edge.node, { snippet: edge.snippet });

export function skeleton(main, { url }) {
  const q = url.searchParams.get("q") ?? "";
  replace(main, h("h1", { class: "page-title", tabindex: "-1" }, "Search"), form(q), h("ul", { class: "cards", "aria-busy": "true" }, skeletonCards(6)));
}

export async function render(main, { url, signal }) {
  const q = (url.searchParams.get("q") ?? "").trim();
  document.getElementById("site-search-q").value = q;
  if (!q) {
    document.title = "Search · Broadsheet";
    replace(main, h("h1", { class: "page-title", tabindex: "-1" }, "Search"), form(""), h("p", { class: "notice" }, 'Words must all match; use "exact phrases", a OR b, and -word to exclude.'));
    return;
  }
  document.title = `${q} · Search · Broadsheet`;
  const data = await gql(QUERY, { q, first: PAGE_SIZE, after: null }, { signal });
  const connection = data.search;
  const list = h("ul", { class: "cards", id: "results" }, connection.edges.map(hit));
  const more = pager(list, {
    pageInfo: connection.pageInfo,
    fetchPage: async (after) => {
      const page = await gql(QUERY, { q, first: PAGE_SIZE, after }, { signal });
      return { items: page.search.edges, pageInfo: page.search.pageInfo };
    },
    render: hit,
    noun: "result",
  });
  replace(
    main,
    h("h1", { class: "page-title", tabindex: "-1" }, "Results for ", h("q", {}, q)),
    form(q),
    connection.edges.length
      ? h("section", { "aria-label": "Search results" }, list, more)
      : h("p", { class: "notice" }, "Nothing matches. Try fewer or different words."),
  );
}
