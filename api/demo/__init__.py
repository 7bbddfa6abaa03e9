"""Deterministic synthetic corpus for demos, tests and benchmarks (``broadsheet demo``).

Roles: ``vocab`` and ``phrases`` hold the word pools, ``catalog`` builds sources,
categories and entities, ``text`` writes article text from precomputed sentence pools,
``generator`` produces articles/mentions/links batch by batch, ``writer`` inserts them.
"""

from api.demo.writer import DemoError, DemoStats, generate_demo

__all__ = ["DemoError", "DemoStats", "generate_demo"]
