"""Server-rendered SVG charts of a journal: dose per drug, diazepam equivalent, symptom score.

Each panel is its own ``<svg role="img">`` with a ``<title>`` and a ``<desc>`` that says what the
chart shows in words; a data table with the same numbers sits next to it (``_table.html``). This
module only computes geometry and words; ``templates/journals/_chart.html`` draws. Coordinates
are formatted here as plain strings so no locale's decimal comma can reach an SVG attribute.
Colours come from CSS classes (static/css/journals.css), so the dark theme and forced colours
work; series also differ by dash pattern and marker shape, never by colour alone.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from .daily import DayRow, drugs_in, mg_text

WIDTH, HEIGHT = 720, 240
LEFT, RIGHT, TOP, BOTTOM = 64, 20, 20, 48
PLOT_W, PLOT_H = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
SERIES_STYLES = 6  # .chart__series--1 … --6 in journals.css


def _n(value: float) -> str:
    return f"{value:.1f}"


@dataclass(frozen=True)
class Tick:
    x: str
    y: str
    label: str


@dataclass(frozen=True)
class Point:
    x: str
    y: str
    label: str  # the point's value in words, shown as its tooltip


@dataclass
class Series:
    name: str
    style: int
    points: list[Point]

    @property
    def path(self) -> str:
        return " ".join(f"{p.x},{p.y}" for p in self.points)


@dataclass(frozen=True)
class Bar:
    x: str
    y: str
    width: str
    height: str
    label: str


@dataclass
class Panel:
    id: str
    title: str
    desc: str
    unit: str
    y_ticks: list[Tick]
    x_ticks: list[Tick]
    series: list[Series] = field(default_factory=list)
    band: str = ""  # polygon points of the low–high range
    band_edges: list[Series] = field(default_factory=list)
    bars: list[Bar] = field(default_factory=list)
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    right_edge: int = WIDTH - RIGHT
    top: int = TOP
    baseline: str = _n(TOP + PLOT_H)
    unit_x: str = _n(LEFT - 56)


def nice_max(value: float) -> float:
    """A round axis top at or above ``value`` (1, 2, 2.5, 5 × 10ⁿ)."""
    if value <= 0:
        return 1.0
    exponent = math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        top = step * 10**exponent
        if top >= value:
            return float(top)
    return float(10 ** (exponent + 1))  # pragma: no cover - the loop always returns


class _Scale:
    def __init__(self, first: date, last: date, y_max: float) -> None:
        self.first = first
        self.span = max(1, (last - first).days)
        self.single = first == last
        self.y_max = y_max

    def x(self, day: date) -> float:
        if self.single:
            return LEFT + PLOT_W / 2
        return LEFT + (day - self.first).days / self.span * PLOT_W

    def y(self, value: float) -> float:
        return TOP + PLOT_H - (value / self.y_max) * PLOT_H


def _day(day: date) -> str:
    return date_format(day, "j M")


def _x_ticks(rows: list[DayRow], scale: _Scale) -> list[Tick]:
    days = [row.day for row in rows]
    if len(days) <= 6:
        chosen = days
    else:
        step = (len(days) - 1) / 5
        chosen = [days[round(i * step)] for i in range(6)]
    return [Tick(_n(scale.x(d)), _n(TOP + PLOT_H + 20), _day(d)) for d in dict.fromkeys(chosen)]


def _y_ticks(scale: _Scale) -> list[Tick]:
    ticks = []
    for i in range(5):
        value = scale.y_max * i / 4
        text = mg_text(Decimal(str(round(value, 4))))
        ticks.append(Tick(_n(LEFT - 8), _n(scale.y(value)), text))
    return ticks


def _range_words(rows: list[DayRow]) -> str:
    return _("from %(first)s to %(last)s") % {
        "first": date_format(rows[0].day, "j M Y"),
        "last": date_format(rows[-1].day, "j M Y"),
    }


def dose_panel(rows: list[DayRow]) -> Panel | None:
    """mg per drug over time, one line per drug."""
    drugs = drugs_in(rows)
    if not drugs:
        return None
    values = [float(row.mg_of(d.drug_id) or 0) for row in rows for d in drugs]
    scale = _Scale(rows[0].day, rows[-1].day, nice_max(max(values)))
    series, words = [], []
    for index, drug in enumerate(drugs):
        points = []
        known = [(row.day, row.mg_of(drug.drug_id)) for row in rows]
        known = [(day, mg) for day, mg in known if mg is not None]
        for day, mg in known:
            label = _("%(day)s: %(mg)s mg of %(drug)s") % {
                "day": _day(day),
                "mg": mg_text(mg),
                "drug": drug.name,
            }
            points.append(Point(_n(scale.x(day)), _n(scale.y(float(mg))), label))
        series.append(Series(drug.name, index % SERIES_STYLES + 1, points))
        if known:
            words.append(
                _("%(drug)s from %(start)s mg to %(end)s mg")
                % {"drug": drug.name, "start": mg_text(known[0][1]), "end": mg_text(known[-1][1])}
            )
    return Panel(
        id="chart-dose",
        title=_("Dose taken per day, mg of each drug"),
        desc=_("Line chart, %(range)s: %(series)s.")
        % {"range": _range_words(rows), "series": "; ".join(words)},
        unit=_("mg"),
        y_ticks=_y_ticks(scale),
        x_ticks=_x_ticks(rows, scale),
        series=series,
    )


def diazepam_panel(rows: list[DayRow]) -> Panel | None:
    """The diazepam-equivalent range across sources, as a band from low to high."""
    known = [row for row in rows if row.diazepam_low is not None]
    if not any(row.totals for row in known):
        return None
    scale = _Scale(rows[0].day, rows[-1].day, nice_max(max(float(r.diazepam_high) for r in known)))
    highs = [(scale.x(r.day), scale.y(float(r.diazepam_high))) for r in known]
    lows = [(scale.x(r.day), scale.y(float(r.diazepam_low))) for r in known]
    band = " ".join(f"{_n(x)},{_n(y)}" for x, y in highs + lows[::-1])

    def edge(name: str, style: int, value_of) -> Series:
        points = [
            Point(
                _n(scale.x(r.day)),
                _n(scale.y(float(value_of(r)))),
                _("%(day)s: about %(mg)s mg diazepam (range across sources)")
                % {"day": _day(r.day), "mg": r.diazepam_text},
            )
            for r in known
        ]
        return Series(name, style, points)

    first, last = known[0], known[-1]
    return Panel(
        id="chart-diazepam",
        title=_("Approximate diazepam equivalent, mg per day (range across sources)"),
        desc=_(
            "Band chart, %(range)s: from about %(start)s mg to about %(end)s mg diazepam. "
            "The band runs from the lowest to the highest figure the sources give."
        )
        % {"range": _range_words(rows), "start": first.diazepam_text, "end": last.diazepam_text},
        unit=_("mg"),
        y_ticks=_y_ticks(scale),
        x_ticks=_x_ticks(rows, scale),
        band=band,
        band_edges=[
            edge(_("highest figure"), 1, lambda r: r.diazepam_high),
            edge(_("lowest figure"), 2, lambda r: r.diazepam_low),
        ],
    )


def symptom_panel(rows: list[DayRow]) -> Panel:
    """The daily symptom score (sum of the 0–4 ratings) as bars."""
    scores = [row.symptom_score for row in rows]
    scale = _Scale(rows[0].day, rows[-1].day, nice_max(max(max(scores), 4)))
    slot = PLOT_W / max(1, scale.span + 1)
    width = max(2.0, min(14.0, slot * 0.7))
    bars = []
    for row in rows:
        top = scale.y(row.symptom_score)
        label = _("%(day)s: symptom score %(score)s") % {
            "day": _day(row.day),
            "score": row.symptom_score,
        }
        x = min(max(scale.x(row.day) - width / 2, LEFT), WIDTH - RIGHT - width)
        bars.append(Bar(_n(x), _n(top), _n(width), _n(TOP + PLOT_H - top), label))
    return Panel(
        id="chart-symptoms",
        title=_("Daily symptom score (sum of the ratings, 0 to 4 each)"),
        desc=_("Bar chart, %(range)s: scores from %(low)s to %(high)s, latest %(latest)s.")
        % {
            "range": _range_words(rows),
            "low": min(scores),
            "high": max(scores),
            "latest": scores[-1],
        },
        unit=_("score"),
        y_ticks=_y_ticks(scale),
        x_ticks=_x_ticks(rows, scale),
        bars=bars,
    )


def journal_charts(rows: list[DayRow]) -> list[Panel]:
    """The panels for ``rows`` (oldest first); none when there are no rows."""
    if not rows:
        return []
    panels = [dose_panel(rows), diazepam_panel(rows), symptom_panel(rows)]
    return [panel for panel in panels if panel is not None]


@dataclass(frozen=True)
class TableRow:
    row: DayRow
    mg_cells: list[str]  # one per drug of the table, "" when the day does not say


def data_table(rows: list[DayRow]) -> tuple[list, list[TableRow]]:
    """The chart's numbers as table rows: (drugs as columns, one row per day, newest first)."""
    drugs = drugs_in(rows)
    table = [
        TableRow(row, [mg_text(row.mg_of(drug.drug_id)) for drug in drugs])
        for row in reversed(rows)
    ]
    return drugs, table
