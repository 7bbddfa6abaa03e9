"""The stories tag: story pages and one story with its articles."""
