"""Articles: the Article type and its relations, the feed, and the article mutations."""
