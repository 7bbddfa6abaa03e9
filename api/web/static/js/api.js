// The one way pages talk to the server: a POST to the public GraphQL endpoint.

export class ApiError extends Error {
  constructor(message, { status = 0, code = null } = {}) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
  }
}

export async function gql(query, variables = {}, { signal } = {}) {
  let response;
  try {
    response = await fetch("/graphql", {
      method: "POST",
      headers: {
        "Content-Type": "application/json",
        Accept: "application/graphql-response+json, application/json;q=0.9",
      },
      body: JSON.stringify({ query, variables }),
      signal,
    });
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
}`;
