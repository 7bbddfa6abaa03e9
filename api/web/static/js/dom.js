// DOM building from nodes only (never HTML strings): API text always becomes text nodes.

export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props ?? {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") el.className = value;
    else if (key.startsWith("on")) el.addEventListener(key.slice(2), value);
    else el.setAttribute(key, value === true ? "" : String(value));
  }
  append(el, children);
  return el;
}

export function append(el, children) {
  for (const child of [children].flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
  return el;
}

export function replace(el, ...children) {
  el.replaceChildren();
  return append(el, children);
}

const NAMED = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };

// Search snippets are escaped HTML whose only markup is <mark>: undo the escaping as text.
function decodeEntities(text) {
  return text.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (whole, name) => {
    if (name[0] !== "#") return NAMED[name.toLowerCase()] ?? whole;
    const code = name[1] === "x" || name[1] === "X" ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
    return code > 0 && code < 0x110000 ? String.fromCodePoint(code) : whole;
  });
}

/** Nodes for a snippet: text outside <mark>, <mark> elements (as text) inside. */
export function highlighted(snippet) {
  return snippet
    .split(/<mark>|<\/mark>/)
    .map((part, i) => (i % 2 ? h("mark", {}, decodeEntities(part)) : decodeEntities(part)));
}

const RELATIVE = new Intl.RelativeTimeFormat("en", { numeric: "auto" });
const DATE = new Intl.DateTimeFormat("en", { dateStyle: "medium" });
const DATE_TIME = new Intl.DateTimeFormat("en", { dateStyle: "full", timeStyle: "short" });

/** A <time> element: "3 hours ago" (or a date past a week), the full time on hover. */
export function timeAgo(iso) {
  const when = new Date(iso);
  const seconds = (when.getTime() - Date.now()) / 1000;
  let label;
  const steps = [[60, "second"], [60, "minute"], [24, "hour"], [7, "day"]];
  let value = seconds;
  for (const [size, unit] of steps) {
    if (Math.abs(value) < size) {
      label = RELATIVE.format(Math.round(value), unit);
      break;
    }
    value /= size;
  }
  label ??= DATE.format(when);
  return h("time", { datetime: iso, title: DATE_TIME.format(when) }, label);
}

export function setStatus(message) {
  const status = document.getElementById("status");
  if (status) status.textContent = message;
}

export function plural(count, one, many = `${one}s`) {
  return `${count.toLocaleString("en")} ${count === 1 ? one : many}`;
}
