"""Page-number links shared by every paged list."""

from __future__ import annotations

from dataclasses import dataclass


def page_numbers(current: int, count: int, *, around: int = 2) -> list[int | None]:
    """Page numbers to link, with None for a gap: [1, None, 4, 5, 6, 7, 8, None, 20]."""
    wanted = {1, count, *range(current - around, current + around + 1)}
    shown: list[int | None] = []
    for number in sorted(n for n in wanted if 1 <= n <= count):
        previous = shown[-1] if shown else None
        if previous is not None and number - previous > 1:
            shown.append(None)
        shown.append(number)
    return shown


@dataclass(frozen=True)
class PositionPage:
    """One page of things numbered by position (a topic's posts, a conversation's messages),
    read by position range, with the paging interface of Django's ``Page``."""

    number: int
    count: int
    items: list

    def has_previous(self) -> bool:
        return self.number > 1

    def has_next(self) -> bool:
        return self.number < self.count

    def has_other_pages(self) -> bool:
        return self.count > 1

    def previous_page_number(self) -> int:
        return self.number - 1

    def next_page_number(self) -> int:
        return self.number + 1

    def numbers(self) -> list[int | None]:
        return page_numbers(self.number, self.count)
