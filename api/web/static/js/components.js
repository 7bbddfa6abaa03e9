// Pieces shared by the pages: chips, article cards, messages, skeletons, the pager.

import { h, highlighted, setStatus, timeAgo } from "./dom.js";
import { icon } from "./icons.js";

export const SENTIMENTS = { BULLISH: "Bullish", BEARISH: "Bearish", NEUTRAL: "Neutral" };
const SENTIMENT_ICON = { BULLISH: "up", BEARISH: "down", NEUTRAL: "flat" };
export const ENTITY_TYPES = {
  COMPANY: ["Company", "Companies"],
  PERSON: ["Person", "People"],
  ORGANIZATION: ["Organization", "Organizations"],
  COUNTRY: ["Country", "Countries"],
  CRYPTOCURRENCY: ["Cryptocurrency", "Cryptocurrencies"],
  PRODUCT: ["Product", "Products"],
  TOPIC: ["Topic", "Topics"],
};

export const articlePath = (slug) => `/articles/${encodeURIComponent(slug)}`;
export const entityPath = (slug) => `/entities/${encodeURIComponent(slug)}`;
export const storyPath = (id) => `/stories/${encodeURIComponent(id)}`;

/** "N sources": the link from an article to the story it tells with other sources. */
export function storyLink(story) {
  if (!story) return null;
  return h("a", { class: "story-link", href: storyPath(story.storyId) }, `${story.sourceCount} sources`);
}

export function categoryChip(category, { link = true } = {}) {
  if (!category) return null;
  const body = [h("span", { "aria-hidden": "true" }, category.icon), category.name];
  return link
    ? h("a", { class: "chip chip-category", href: `/?category=${encodeURIComponent(category.slug)}` }, body)
    : h("span", { class: "chip chip-category" }, body);
}

export function sentimentChip(sentiment) {
  return h(
    "span",
    { class: `chip chip-${sentiment.toLowerCase()}`, title: "Market sentiment" },
    icon(SENTIMENT_ICON[sentiment]),
    SENTIMENTS[sentiment],
  );
}

export function importanceChip(importance) {
  return h(
    "span",
    {
      class: `chip chip-importance${importance >= 8 ? " high" : ""}`,
      title: "Editorial importance",
      "aria-label": `Importance ${importance} out of 10`,
    },
    icon("gauge"),
    `${importance}/10`,
  );
}

export function entityChip(entity) {
  return h("a", { class: "chip chip-entity", href: entityPath(entity.slug) }, entity.name);
}

export function articleChips(article, { linkCategory = true } = {}) {
  return h(
    "div",
    { class: "chips" },
    categoryChip(article.category, { link: linkCategory }),
    sentimentChip(article.sentiment),
    importanceChip(article.importance),
  );
}

/** A feed card; `snippet` (search) replaces the summary with highlighted text. */
export function articleCard(article, { snippet = null, headingLevel = 2 } = {}) {
  const heading = h(`h${headingLevel}`, {}, h("a", { href: articlePath(article.slug) }, article.title));
  const mentions = article.mentions.slice(0, 3);
  return h(
    "li",
    {},
    h(
      "article",
      { class: "card" },
      articleChips(article, { linkCategory: false }),
      heading,
      h(
        "p",
        { class: "meta" },
        article.source.name,
        " · ",
        timeAgo(article.publishedAt),
        article.story ? [" · ", storyLink(article.story)] : null,
      ),
      snippet === null
        ? h("p", { class: "summary" }, article.summary)
        : h("p", { class: "snippet" }, highlighted(snippet)),
      mentions.length
        ? h("ul", { class: "chips entities", "aria-label": "Mentioned" }, mentions.map((m) => h("li", {}, entityChip(m.entity))))
        : null,
    ),
  );
}

export function skeletonCards(count) {
  return Array.from({ length: count }, () =>
    h(
      "li",
      { "aria-hidden": "true" },
      h(
        "div",
        { class: "card skeleton" },
        h("span", { class: "bar short" }),
        h("span", { class: "bar title" }),
        h("span", { class: "bar short" }),
        h("span", { class: "bar" }),
        h("span", { class: "bar" }),
        h("span", { class: "bar short" }),
      ),
    ),
  );
}

export function skeletonBlock(lines = 6) {
  return h(
    "div",
    { class: "skeleton", "aria-hidden": "true" },
    h("span", { class: "bar title" }),
    Array.from({ length: lines }, (_, i) => h("span", { class: i % 3 === 2 ? "bar short" : "bar" })),
  );
}

export function errorMessage(error, title = "Something went wrong") {
  return h(
    "div",
    { class: "error", role: "alert" },
    h("h2", {}, title),
    h("p", {}, error?.message || String(error)),
  );
}

/**
 * Infinite scroll by cursor: when the "Load more" button nears the viewport (or is pressed,
 * for keyboards), `fetchPage(after)` runs and its `{items, pageInfo}` are appended.
 */
export function pager(list, { pageInfo, fetchPage, render, noun = "article" }) {
  const box = h("div", { class: "more" });
  let cursor = pageInfo.endCursor;
  let loading = false;
  let observer = null;
  const button = h("button", { class: "button", type: "button", onclick: () => load() }, "Load more");

  async function load() {
    if (loading || !cursor) return;
    loading = true;
    button.disabled = true;
    button.textContent = "Loading…";
    try {
      const page = await fetchPage(cursor);
      list.append(...page.items.map(render));
      cursor = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
      setStatus(`${page.items.length} more ${noun}s loaded`);
      finish();
    } catch (error) {
      if (error.name === "AbortError") return;
      box.replaceChildren(errorMessage(error, "Could not load more"), button);
    } finally {
      loading = false;
      button.disabled = false;
      button.textContent = "Load more";
    }
  }

  function finish() {
    if (cursor) return;
    observer?.disconnect();
    box.replaceChildren(h("p", { class: "end" }, "You're all caught up."));
  }

  if (pageInfo.hasNextPage) {
    box.append(button);
    observer = new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting)) load();
    }, { rootMargin: "400px 0px" });
    observer.observe(box);
  } else {
    cursor = null;
    finish();
  }
  return box;
}
