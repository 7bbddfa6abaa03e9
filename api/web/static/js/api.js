// The one way pages talk to the server: the public GraphQL endpoint. Queries travel as
// their SHA-256 (Apollo's persisted-query protocol) in a GET, which the browser and any
// CDN may cache; the first time the server does not know a hash, the query is sent once
// in full by POST, which registers it.

export class ApiError extends Error {
  constructor(message, { status = 0, code = null } = {}) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
  }
}

const ACCEPT = "application/graphql-response+json, application/json;q=0.9";
const hashes = new Map();

async function sha256(text) {
  if (!hashes.has(text)) {
    const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
    const hex = [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0"));
    hashes.set(text, hex.join(""));
  }
  return hashes.get(text);
}

async function send(query, variables, signal) {
  if (!globalThis.crypto?.subtle) {
    // No Web Crypto (an insecure origin): the plain POST still works.
    return fetch("/graphql", {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: ACCEPT },
      body: JSON.stringify({ query, variables }),
      signal,
    });
  }
  const extensions = { persistedQuery: { version: 1, sha256Hash: await sha256(query) } };
  const params = new URLSearchParams({
    variables: JSON.stringify(variables),
    extensions: JSON.stringify(extensions),
  });
  const byHash = await fetch(`/graphql?${params}`, { headers: { Accept: ACCEPT }, signal });
  if (byHash.status === 200) {
    const peek = await byHash.clone().json().catch(() => null);
    if (peek?.errors?.[0]?.extensions?.code !== "PERSISTED_QUERY_NOT_FOUND") return byHash;
  } else {
    return byHash;
  }
  return fetch("/graphql", {
    method: "POST",
    headers: { "Content-Type": "application/json", Accept: ACCEPT },
    body: JSON.stringify({ query, variables, extensions }),
    signal,
  });
}

export async function gql(query, variables = {}, { signal } = {}) {
  let response;
  try {
    response = await send(query, variables, signal);
  } catch (error) {
    if (error.name === "AbortError") throw error;
    throw new ApiError("Could not reach the server. Check your connection and try again.");
  }
  let body = null;
  try {
    body = await response.json();
  } catch {
    // Not JSON (a proxy error page, say): reported by status below.
  }
  const errors = body?.errors;
  if (errors?.length) {
    const first = errors[0];
    throw new ApiError(errors.map((e) => e.message).join(" "), {
      status: response.status,
      code: first.extensions?.code ?? null,
    });
  }
  if (!response.ok || !body?.data) {
    const detail = body?.detail ?? body?.title ?? `The server answered ${response.status}.`;
    throw new ApiError(detail, { status: response.status });
  }
  return body.data;
}

/** The fields every article card shows: one fragment, shared by feed, entity and search. */
export const CARD_FIELDS = `
fragment Card on Article {
  slug title publishedAt importance sentiment summary
  source { slug name }
  category { slug name icon }
  mentions { entity { slug name type } }
  story { storyId sourceCount }
}`;
