"""Page-number links shared by every paged list."""

from __future__ import annotations


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
