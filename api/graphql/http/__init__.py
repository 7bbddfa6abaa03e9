"""The GraphQL endpoint's HTTP side: media types, reading and checking a request, and which
of the document's operations it runs, all settled before a session opens."""
