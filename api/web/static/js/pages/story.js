// A story page: one event, the coverage of every source telling it, earliest first.

import { gql } from "../api.js";
import { articlePath, entityChip, skeletonBlock } from "../components.js";
import { h, plural, replace, timeAgo } from "../dom.js";
import { icon } from "../icons.js";

const QUERY = `
query StoryPage($id: ID!) {
  story(id: $id) {
    storyId size sourceCount firstPublishedAt lastPublishedAt
    headline { slug title summary }
    topEntities { entity { slug name type } }
    articles {
      article { slug title publishedAt source { slug name } }
    }
  }
}`;

export class NotFound extends Error {}

export function skeleton(main) {
  replace(main, h("span", { class: "back" }, icon("back"), "Back to feed"), skeletonBlock(8));
}

export async function render(main, { params, signal, backHref }) {
  const data = await gql(QUERY, { id: params[0] }, { signal });
  const story = data.story;
  if (!story) throw new NotFound("No story has this address. Its articles may have joined another story.");
  const title = story.headline?.title ?? "A story";
  document.title = `${title} · Coverage · Broadsheet`;
  replace(
    main,
    h("a", { class: "back", href: backHref }, icon("back"), "Back to feed"),
    h(
      "article",
      { class: "story-page", "aria-labelledby": "story-title" },
      h(
        "header",
        {},
        h("p", { class: "meta" }, `${plural(story.sourceCount, "source")} · ${plural(story.size, "article")}`),
        h("h1", { id: "story-title", tabindex: "-1" }, title),
        story.headline ? h("p", { class: "summary" }, story.headline.summary) : null,
        story.topEntities.length
          ? h("ul", { class: "chips entities", "aria-label": "Mentioned" }, story.topEntities.map((e) => h("li", {}, entityChip(e.entity))))
          : null,
      ),
      h(
        "section",
        { "aria-labelledby": "coverage-title" },
        h("h2", { class: "section-title", id: "coverage-title" }, "Coverage by source"),
        h(
          "ol",
          { class: "coverage-list" },
          story.articles.map(({ article }) =>
            h(
              "li",
              {},
              h("span", { class: "source" }, article.source.name),
              " · ",
              timeAgo(article.publishedAt),
              h("a", { class: "title", href: articlePath(article.slug) }, article.title),
            ),
          ),
        ),
      ),
    ),
  );
}
