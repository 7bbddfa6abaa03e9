"""The catalog: sources, categories and entities, their queries and their mutations."""
