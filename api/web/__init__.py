"""The reference frontend: a static news site over the public GraphQL API."""
