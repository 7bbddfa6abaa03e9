// The client-side router: every page is a shareable URL the server answers with this shell.

import { errorMessage } from "./components.js";
import { h, replace, setStatus } from "./dom.js";
import * as article from "./pages/article.js";
import * as entity from "./pages/entity.js";
import * as feed from "./pages/feed.js";
import * as search from "./pages/search.js";
import * as story from "./pages/story.js";

const ROUTES = [
  [/^\/$/, feed],
  [/^\/search$/, search],
  [/^\/articles\/([^/]+)$/, article],
  [/^\/entities\/([^/]+)$/, entity],
  [/^\/stories\/([^/]+)$/, story],
];

const main = document.getElementById("main");
let current = null;
let backHref = "/";

function match(pathname) {
  for (const [pattern, page] of ROUTES) {
    const found = pattern.exec(pathname);
    if (found) return { page, params: found.slice(1).map(decodeURIComponent) };
  }
  return null;
}

async function show(url, { focus = true, keepFocus = false } = {}) {
  current?.abort();
  const controller = new AbortController();
  current = controller;
  const activeId = keepFocus ? document.activeElement?.id : null;
  const route = match(url.pathname);
  for (const link of document.querySelectorAll(".site-nav a")) {
    link.toggleAttribute("aria-current", link.getAttribute("href") === url.pathname);
    if (link.hasAttribute("aria-current")) link.setAttribute("aria-current", "page");
  }
  if (!route) {
    document.title = "Not found · Broadsheet";
    replace(main, h("h1", { class: "page-title", tabindex: "-1" }, "Page not found"), h("p", {}, h("a", { href: "/" }, "Go to the latest news")));
    return;
  }
  if (!keepFocus) route.page.skeleton(main, { url, params: route.params });
  main.setAttribute("aria-busy", "true");
  try {
    await route.page.render(main, { url, params: route.params, signal: controller.signal, navigate, backHref });
    if (route.page === feed) backHref = url.pathname + url.search;
  } catch (error) {
    if (error.name === "AbortError") return;
    const notFound = error instanceof article.NotFound || error instanceof story.NotFound;
    document.title = `${notFound ? "Not found" : "Error"} · Broadsheet`;
    replace(
      main,
      h("h1", { class: "page-title", tabindex: "-1" }, notFound ? "Not found" : "This page could not be loaded"),
      errorMessage(error, notFound ? "Nothing here" : "The API answered with an error"),
      h("p", {}, h("a", { href: "/" }, "Back to the latest news")),
    );
  } finally {
    if (current === controller) main.removeAttribute("aria-busy");
  }
  if (current !== controller) return;
  const restored = activeId && document.getElementById(activeId);
  if (restored) restored.focus();
  else if (focus) main.querySelector("h1")?.focus({ preventScroll: true });
  setStatus(document.title);
}

export function navigate(href, { replace: replaceEntry = false, keepFocus = false } = {}) {
  const url = new URL(href, location.origin);
  history[replaceEntry ? "replaceState" : "pushState"](null, "", url);
  if (!keepFocus) window.scrollTo(0, 0);
  return show(url, { keepFocus });
}

document.addEventListener("click", (event) => {
  if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  const link = event.target.closest("a[href]");
  if (!link || link.target || link.hasAttribute("download")) return;
  if (link.getAttribute("href").startsWith("#")) return; // in-page (the skip link)
  const url = new URL(link.href, location.href);
  if (url.origin !== location.origin || !match(url.pathname)) return;
  event.preventDefault();
  navigate(url.pathname + url.search);
});

document.addEventListener("submit", (event) => {
  const form = event.target;
  if (form.getAttribute("action") !== "/search" || event.defaultPrevented) return;
  event.preventDefault();
  const q = new FormData(form).get("q")?.toString().trim();
  if (q) navigate(`/search?q=${encodeURIComponent(q)}`);
});

window.addEventListener("popstate", () => show(new URL(location.href), { focus: false }));
history.scrollRestoration = "auto";
show(new URL(location.href), { focus: false });
