"""Request limits: what one query may ask of the server before anything runs."""
