"""What the stories' read side returns (story and member records live with the other
records in ``shared.records``: an article record carries its story)."""

from __future__ import annotations

from dataclasses import dataclass

from api.domain.shared.records import StoryRecord


@dataclass(frozen=True, slots=True)
class StoryPageRecord:
    items: list[StoryRecord]
    next_cursor: str | None
