// The article page: everything a news aggregator shows about one story, in one request.

import { gql } from "../api.js";
import {
  articleChips,
  articlePath,
  ENTITY_TYPES,
  entityChip,
  skeletonBlock,
  storyPath,
} from "../components.js";
import { h, replace, timeAgo } from "../dom.js";
import { icon } from "../icons.js";

const QUERY = `
query ArticlePage($slug: String!) {
  article(slug: $slug) {
    slug title url author publishedAt imageUrl imageCredit
    sentiment importance summary analysis keyTakeaways
    source { slug name homepageUrl }
    category { slug name icon }
    mentions { salience entity { slug name type } }
    related(first: 6) {
      score
      explanation { kind linkKind sharedEntities { entity { slug name } } }
      article { slug title publishedAt source { name } }
    }
    story {
      storyId size sourceCount
      articles { article { slug title publishedAt source { slug name } } }
    }
  }
}`;

const LINK_KINDS = {
  SAME_STORY: "Same story",
  FOLLOW_UP: "Follow-up",
  BACKGROUND: "Background",
  ANALYSIS: "Analysis",
  OPINION: "Opinion",
};

export class NotFound extends Error {}

function hero(article) {
  const frame = h("div", { class: "frame" });
  const placeholder = () => h("span", { class: "placeholder", "aria-hidden": "true" }, article.category?.icon ?? "📰");
  if (article.imageUrl) {
    // The frame keeps its 2:1 box whether the image loads, fails or is slow.
    const img = h("img", { src: article.imageUrl, alt: `Illustration for: ${article.title}`, loading: "eager", decoding: "async" });
    img.addEventListener("error", () => frame.replaceChildren(placeholder()), { once: true });
    frame.append(img);
  } else {
    frame.append(placeholder());
  }
  return h(
    "figure",
    { class: "hero" },
    frame,
    article.imageCredit ? h("figcaption", {}, article.imageCredit) : null,
  );
}

function mentionsBox(mentions) {
  const groups = new Map();
  for (const mention of mentions) {
    const type = mention.entity.type;
    if (!groups.has(type)) groups.set(type, []);
    groups.get(type).push(mention.entity);
  }
  const order = Object.keys(ENTITY_TYPES).filter((type) => groups.has(type));
  return h(
    "section",
    { class: "aside-box mentions", "aria-labelledby": "mentions-title" },
    h("h2", { class: "section-title", id: "mentions-title" }, "Mentioned in this story"),
    order.length
      ? h(
          "dl",
          {},
          order.map((type) => [
            h("dt", {}, ENTITY_TYPES[type][1]),
            h("dd", {}, h("ul", { class: "chips" }, groups.get(type).map((e) => h("li", {}, entityChip(e))))),
          ]),
        )
      : h("p", {}, "No entities were recognised in this story."),
  );
}

function reason(item) {
  const explanation = item.explanation;
  if (explanation.kind !== "SHARED_ENTITIES") {
    return h("p", { class: "reason" }, h("strong", {}, LINK_KINDS[explanation.linkKind ?? explanation.kind]), " · linked by the editors");
  }
  const names = explanation.sharedEntities.slice(0, 3).map((s) => s.entity.name);
  return h("p", { class: "reason" }, "Also mentions ", h("strong", {}, names.join(", ")));
}

function relatedBox(related) {
  return h(
    "section",
    { class: "aside-box", "aria-labelledby": "related-title" },
    h("h2", { class: "section-title", id: "related-title" }, "Related coverage"),
    related.length
      ? h(
          "ul",
          { class: "related-list" },
          related.map((item) =>
            h(
              "li",
              {},
              h("a", { class: "title", href: articlePath(item.article.slug) }, item.article.title),
              h("p", { class: "meta" }, item.article.source.name, " · ", timeAgo(item.article.publishedAt)),
              reason(item),
            ),
          ),
        )
      : h("p", {}, "No related coverage yet."),
  );
}

/** The other sources telling this story, earliest first. */
function coverageBox(article) {
  const story = article.story;
  if (!story) return null;
  const others = story.articles.filter((m) => m.article.slug !== article.slug);
  return h(
    "section",
    { class: "aside-box", "aria-labelledby": "coverage-title" },
    h("h2", { class: "section-title", id: "coverage-title" }, "Also covered by"),
    h(
      "ul",
      { class: "also-covered" },
      others.map(({ article: other }) =>
        h(
          "li",
          {},
          h("a", { class: "title", href: articlePath(other.slug) }, other.title),
          h("p", { class: "meta" }, h("strong", {}, other.source.name), " · ", timeAgo(other.publishedAt)),
        ),
      ),
    ),
    h("p", { class: "reason" }, h("a", { href: storyPath(story.storyId) }, `The whole story: ${story.sourceCount} sources`)),
  );
}

export function skeleton(main) {
  replace(
    main,
    h("span", { class: "back" }, icon("back"), "Back to feed"),
    h(
      "div",
      { class: "article-layout" },
      h("div", { class: "story" }, skeletonBlock(3), h("div", { class: "hero" }, h("div", { class: "frame" })), skeletonBlock(8)),
      h("div", { class: "aside-box" }, skeletonBlock(6)),
    ),
  );
}

export async function render(main, { params, signal, backHref }) {
  const data = await gql(QUERY, { slug: params[0] }, { signal });
  const article = data.article;
  if (!article) throw new NotFound("No article has this address. It may have been renamed or removed.");
  document.title = `${article.title} · Broadsheet`;
  const byline = [
    article.author ? ["By ", h("strong", {}, article.author), " · "] : null,
    h("a", { href: `/?source=${encodeURIComponent(article.source.slug)}` }, article.source.name),
    " · ",
    timeAgo(article.publishedAt),
  ];
  replace(
    main,
    h("a", { class: "back", href: backHref }, icon("back"), "Back to feed"),
    h(
      "div",
      { class: "article-layout" },
      h(
        "article",
        { class: "story", "aria-labelledby": "story-title" },
        h("header", {}, articleChips(article), h("h1", { id: "story-title", tabindex: "-1" }, article.title), h("p", { class: "byline" }, byline)),
        hero(article),
        h(
          "section",
          { class: "ai-summary", "aria-labelledby": "summary-title" },
          h("h2", { id: "summary-title" }, icon("spark"), "AI summary"),
          h("p", {}, article.summary),
        ),
        article.analysis.length
          ? h("section", { class: "analysis", "aria-labelledby": "analysis-title" }, h("h2", { id: "analysis-title" }, "Analysis"), article.analysis.map((p) => h("p", {}, p)))
          : null,
        article.keyTakeaways.length
          ? h("section", { class: "takeaways", "aria-labelledby": "takeaways-title" }, h("h2", { id: "takeaways-title" }, "Key takeaways"), h("ul", {}, article.keyTakeaways.map((t) => h("li", {}, t))))
          : null,
        h(
          "a",
          { class: "read-original", href: article.url, rel: "noopener noreferrer external", target: "_blank" },
          `Read original on ${article.source.name}`,
          icon("external"),
          h("span", { class: "visually-hidden" }, " (opens in a new tab)"),
        ),
      ),
      h("aside", { "aria-label": "About this story" }, coverageBox(article), mentionsBox(article.mentions), relatedBox(article.related)),
    ),
  );
}
