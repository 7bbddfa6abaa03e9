"""The GraphQL door: strawberry types and resolvers over the domain layer, served at /graphql."""
