"""The edge of every request: time budgets, admission, database faults, shutdown."""
