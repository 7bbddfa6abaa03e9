"""Stories in GraphQL: ``Story``, ``Query.stories``/``Query.story`` and ``Article.story``."""
