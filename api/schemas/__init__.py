"""Pydantic input schemas shared by the ingest command and both API doors."""
