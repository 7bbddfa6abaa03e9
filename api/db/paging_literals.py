"""LIMIT and OFFSET written into the hot reads' PostgreSQL statements as numbers.

PostgreSQL plans a prepared statement afresh on every execution while its generic plan
looks costlier than the custom ones, and a generic plan must assume an unknown LIMIT
reads a large share of the table: so a feed statement with ``LIMIT $1`` was planned on
every request (measured on the 10k corpus: about 250 µs of the server's CPU per feed
page, as much as running it). With the number in the text, a statement without other
parameters is planned once per connection. Only statements compiled for the driver
reads ask for it (``compile_kwargs={PAGING_LITERALS: True}``): page sizes there are few
and bounded by the API. Search keeps its parameters on purpose: its custom plans see the
actual words, which matters more than the planning it costs.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.selectable import _OffsetLimitParam

PAGING_LITERALS = "broadsheet_paging_literals"


@compiles(_OffsetLimitParam, "postgresql")
def _paging_literal(element: _OffsetLimitParam, compiler: SQLCompiler, **kw: Any) -> str:
    if kw.pop(PAGING_LITERALS, False):
        # Rendered at execution ("post compile"): one compiled form, the value in the text.
        kw["literal_execute"] = True
    rendered: str = compiler.visit_bindparam(element, **kw)  # type: ignore[no-untyped-call]
    return rendered
