"""Who is calling and how often: API-key authentication and rate limiting, at the edge."""
