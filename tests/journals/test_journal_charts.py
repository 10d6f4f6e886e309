"""The chart: accessible SVG with words and a data table holding the logged values."""

import re

import pytest

from stepdown.journals.charts import journal_charts, nice_max
from stepdown.journals.daily import day_rows
from stepdown.journals.models import Entry

from .conftest import JOURNAL, days_ago, log_day

pytestmark = pytest.mark.django_db


@pytest.fixture
def week(journal):
    for n, mg in enumerate(["1", "1", "0.875", "0.875", "0.75", "0.75", "0.625"]):
        log_day(journal, days_ago(6 - n), [("clonazepam", mg)], symptoms={"insomnia": n % 3})
    return journal


def test_chart_page_draws_accessible_svgs_with_titles_and_descriptions(member_client, week):
    html = member_client.get(f"{JOURNAL}chart/").content.decode()
    svgs = re.findall(r"<svg class=\"chart__svg\"[^>]*>", html)
    assert len(svgs) == 3  # mg per drug, diazepam range, symptom score
    for svg in svgs:
        assert 'role="img"' in svg and "aria-labelledby=" in svg
    assert html.count("<title id=") == 3 and html.count("<desc id=") == 3
    assert "Clonazepam from 1 mg to 0.625 mg" in html
    assert "from about 10–40 mg to about 6.25–25 mg diazepam" in html
    assert "<script" not in html.split("<main")[1]
    assert 'href="/static/css/journals.css"' in html
    assert "community tool, not medical advice" in html


def test_chart_table_has_a_caption_and_every_logged_value(member_client, week):
    html = member_client.get(f"{JOURNAL}chart/").content.decode()
    table = html.split('<table class="journal-table">')[1].split("</table>")[0]
    assert "<caption" in table
    assert "Clonazepam, mg" in table
    for mg in ["0.875", "0.75", "0.625"]:
        assert f"<td>{mg}</td>" in table
    assert "<td>6.25–25</td>" in table  # 0.625 mg clonazepam as diazepam, across sources
    assert table.count("<tr>") == 8  # header + 7 days


def test_chart_styles_come_from_classes_so_the_dark_theme_applies(member_client, week):
    html = member_client.get(f"{JOURNAL}chart/").content.decode()
    svg = html.split('<svg class="chart__svg"')[1].split("</svg>")[0]
    assert "style=" not in svg and 'fill="#' not in svg and 'stroke="#' not in svg
    assert "chart__series--1" in svg


def test_chart_period_links_and_range_all_show_older_days(member_client, journal):
    log_day(journal, days_ago(200), [("diazepam", "20")])
    log_day(journal, days_ago(1), [("diazepam", "15")])
    default = member_client.get(f"{JOURNAL}chart/").content.decode()
    everything = member_client.get(f"{JOURNAL}chart/?days=all").content.decode()
    assert "<td>20</td>" not in default and "<td>20</td>" in everything


def test_chart_with_no_entries_says_so(member_client, journal):
    html = member_client.get(f"{JOURNAL}chart/").content.decode()
    assert "No days logged in this period." in html and "<svg" not in html


def test_chart_draws_several_drugs_and_days_after_zero(journal):
    log_day(journal, days_ago(3), [("lorazepam", "1"), ("diazepam", "5")])
    log_day(journal, days_ago(2), [("diazepam", "10")])
    log_day(journal, days_ago(1), no_dose_taken=True, symptoms={"tinnitus": 3})
    rows = day_rows(Entry.objects.prefetch_related("doses"))
    dose, diazepam, symptoms = journal_charts(rows)
    assert [s.name for s in dose.series] == ["Lorazepam", "Diazepam"]
    # Lorazepam is 0 on the days that record doses without it, including the day at zero.
    assert len(dose.series[0].points) == 3
    assert rows[-1].diazepam_text == "0"
    assert symptoms.bars[-1].label.endswith("symptom score 3")


def test_nice_axis_tops_are_round_numbers():
    assert [nice_max(v) for v in (0, 0.3, 1, 1.2, 3, 7, 12, 40)] == [1, 0.5, 1, 2, 5, 10, 20, 50]
