"""Incremental sync: the changes log (``Query.changes``) and the live article stream."""
