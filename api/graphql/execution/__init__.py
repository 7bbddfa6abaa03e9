"""Compiled execution: the feed's fast path, a query turned once into plain functions.

``compiled`` is the schema extension that runs a plan, ``compiler`` builds plans, and
``plan`` is what a plan is and how it runs; anything a plan does not cover runs as before.
"""
