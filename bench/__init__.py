"""Benchmark harness (issue 7): one command, never collected by pytest.

Run ``scripts/bench --help``. Corpora and scratch files live under ``bench/.cache/``
(gitignored); reports go to ``bench/results/``.
"""
