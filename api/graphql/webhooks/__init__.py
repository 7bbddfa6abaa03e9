"""Webhook subscriptions: their types, the two keyed queries, and the four mutations."""
