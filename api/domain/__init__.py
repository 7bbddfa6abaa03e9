"""The domain layer: the only code that runs SQL."""
