// GraphiQL at /graphql, from the files served beside this one: no CDN, and no inline script,
// so a strict Content-Security-Policy holds. Headers typed into the editor (an API key) are
// never kept in the browser's storage, and nothing is read from the page's URL: a link
// cannot plant a query or headers in someone else's editor.
(function () {
  "use strict";
  const endpoint = new URL("/graphql", window.location.href);
  const subscriptions = new URL(endpoint.href);
  subscriptions.protocol = endpoint.protocol === "https:" ? "wss:" : "ws:";
  const fetcher = GraphiQL.createFetcher({
    url: endpoint.href,
    subscriptionUrl: subscriptions.href,
  });
  const defaultQuery = [
    "# Broadsheet's GraphQL API: run with Ctrl-Enter.",
    "# A key goes in Headers below (never stored):",
    '# {"Authorization": "Bearer bsk_…"}',
    "{",
    "  articles(first: 5) {",
    "    nodes { title slug publishedAt source { name } }",
    "  }",
    "}",
    "",
  ].join("\n");
  const page = React.createElement(GraphiQL, {
    fetcher: fetcher,
    defaultQuery: defaultQuery,
    plugins: [GraphiQLPluginExplorer.explorerPlugin()],
    defaultEditorToolsVisibility: true,
    isHeadersEditorEnabled: true,
    shouldPersistHeaders: false,
    inputValueDeprecation: true,
  });
  ReactDOM.createRoot(document.getElementById("graphiql")).render(page);
})();
