"""Logging a day: doses as taken, symptoms, sleep, tags, notes; red flags; bad input."""

from datetime import timedelta
from decimal import Decimal

import pytest

from stepdown.journals.models import Dose, Entry

from .conftest import JOURNAL, days_ago, entry_data, entry_url, log_day, today

pytestmark = pytest.mark.django_db


def test_entry_saves_doses_symptoms_sleep_tags_and_notes_when_valid(member_client, journal):
    data = entry_data(
        [("clonazepam", "0.5", "08:00"), ("clonazepam", "0.25", "21:30")],
        s_anxiety_panic="2",
        s_insomnia="3",
        s_tinnitus="0",
        sleep_hours="5.5",
        sleep_quality="2",
        is_wave="on",
        notes="Hard evening, *but* I walked.",
    )
    response = member_client.post(entry_url(today()), data)
    assert response.status_code == 302
    entry = Entry.objects.get(journal=journal, day=today())
    assert [(d.drug_id, d.mg, d.taken_at.strftime("%H:%M")) for d in entry.doses.all()] == [
        ("clonazepam", Decimal("0.5"), "08:00"),
        ("clonazepam", Decimal("0.25"), "21:30"),
    ]
    assert entry.symptoms == {"anxiety_panic": 2, "tinnitus": 0, "insomnia": 3}
    assert entry.symptom_score == 5
    assert (entry.sleep_hours, entry.sleep_quality) == (Decimal("5.5"), 2)
    assert (entry.is_window, entry.is_wave) == (False, True)
    assert entry.notes == "Hard evening, *but* I walked."
    page = member_client.get(response["Location"]).content.decode()
    assert "is saved" in page
    assert 'value="0.25"' in page and "Hard evening, *but* I walked." in page


def test_entry_for_the_same_day_is_edited_not_duplicated(member_client, journal):
    member_client.post(entry_url(today()), entry_data([("diazepam", "10")], notes="first"))
    member_client.post(entry_url(today()), entry_data([("diazepam", "12")], notes="edited"))
    entry = Entry.objects.get()
    assert entry.notes == "edited"
    assert [d.mg for d in entry.doses.all()] == [Decimal("12")]
    assert Dose.objects.count() == 1


def test_entry_form_shows_the_saved_day_for_editing(member_client, journal):
    log_day(journal, days_ago(2), [("lorazepam", "1.5")], notes="two days ago")
    html = member_client.get(entry_url(days_ago(2))).content.decode()
    assert 'value="1.5"' in html and "two days ago" in html
    assert '<option value="lorazepam" selected>' in html


def test_up_doses_are_saved_without_comment(member_client, journal):
    log_day(journal, days_ago(1), [("diazepam", "5")])
    response = member_client.post(entry_url(today()), entry_data([("diazepam", "7.5")]))
    assert response.status_code == 302
    assert Entry.objects.get(day=today()).doses.get().mg == Decimal("7.5")


def test_day_without_doses_is_saved_after_reaching_zero(member_client, journal):
    data = entry_data(no_dose_taken="on", s_insomnia="2", notes="Zero, day 40.")
    assert member_client.post(entry_url(today()), data).status_code == 302
    entry = Entry.objects.get()
    assert entry.no_dose_taken and not entry.doses.exists()


def test_symptoms_only_day_is_saved_without_any_dose_information(member_client, journal):
    assert member_client.post(entry_url(today()), entry_data(s_headache="1")).status_code == 302
    entry = Entry.objects.get()
    assert not entry.no_dose_taken and entry.symptom_score == 1


def test_entry_page_offers_rating_fieldsets_with_legends_and_radios_zero_to_four(
    member_client, journal
):
    html = member_client.get(entry_url(today())).content.decode()
    assert "<legend>Anxiety or panic</legend>" in html
    assert "<legend>Mood and feelings</legend>" in html
    for value in range(5):
        assert f'type="radio" name="s_anxiety_panic" value="{value}"' in html
    assert "doi:10.1007/s11606-025-09499-2" in html
    assert "community tool, not medical advice" in html


def test_several_doses_a_day_can_be_logged_across_more_rows(member_client, journal):
    doses = [("clonazepam", "0.125", f"{hour:02d}:00") for hour in (6, 10, 14, 18, 22)]
    response = member_client.post(entry_url(today()), entry_data(doses))
    assert response.status_code == 302
    assert Entry.objects.get().doses.count() == 5


# --- Red flags ---------------------------------------------------------------------------------


@pytest.mark.parametrize("symptom", ["seizure", "confusion", "perceptual_disturbance", "psychosis"])
def test_red_flag_shows_urgent_care_and_crisis_lines_after_saving(member_client, journal, symptom):
    data = entry_data([("alprazolam", "1")], notes="Something frightening happened.")
    data[f"s_{symptom}"] = "1"
    response = member_client.post(entry_url(today()), data, follow=True)
    html = response.content.decode()
    entry = Entry.objects.get()
    assert entry.notes == "Something frightening happened."
    assert entry.symptoms[symptom] == 1
    assert 'class="crisis-panel" role="alert"' in html
    assert "need urgent medical care" in html
    assert 'href="tel:911"' in html
    assert 'href="tel:988"' in html and 'href="sms:988"' in html and 'href="sms:741741"' in html
    assert "Your entry is saved" in html


def test_suicidality_rating_shows_the_crisis_lines_after_saving(member_client, journal):
    response = member_client.post(
        entry_url(today()), entry_data(s_suicidality_self_harm="2"), follow=True
    )
    html = response.content.decode()
    assert Entry.objects.get().symptoms == {"suicidality_self_harm": 2}
    assert "you do not have to carry this alone" in html
    assert "988 Suicide &amp; Crisis Lifeline" in html and "Crisis Text Line" in html
    assert "need urgent medical care" not in html


def test_red_flag_rated_zero_shows_no_crisis_panel(member_client, journal):
    data = entry_data(s_seizure="0", s_suicidality_self_harm="0", s_headache="3")
    response = member_client.post(entry_url(today()), data, follow=True)
    assert "crisis-panel" not in response.content.decode()


def test_red_flag_panel_shows_even_when_the_form_has_an_error(member_client, journal):
    data = entry_data([("diazepam", "-5")], s_suicidality_self_harm="3", notes="kept words")
    response = member_client.post(entry_url(today()), data)
    html = response.content.decode()
    assert response.status_code == 400
    assert "crisis-panel" in html and "sms:741741" in html
    assert "kept words" in html


def test_crisis_panel_uses_the_configured_locale(member_client, journal, settings):
    settings.STEPDOWN_CRISIS_LOCALE = "UK"
    response = member_client.post(entry_url(today()), entry_data(s_seizure="2"), follow=True)
    html = response.content.decode()
    assert "Samaritans" in html and 'href="tel:116123"' in html and 'href="tel:999"' in html


def test_crisis_panel_never_suggests_a_dose(member_client, journal):
    data = entry_data([("clonazepam", "2")], s_seizure="4")
    html = member_client.post(entry_url(today()), data, follow=True).content.decode()
    panel = html.split('class="crisis-panel"')[1].split("</section>")[0]
    assert " mg" not in panel and "never suggests a dose" in panel


# --- Bad input ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "dose, message",
    [
        (("diazepam", "-2"), "A dose cannot be below zero"),
        (("diazepam", "0"), "0 mg is not a dose"),
        (("diazepam", "0abc"), "Please enter the dose as a number of mg"),
        (("diazepam", "NaN"), "Please enter the dose as a number of mg"),
        (("diazepam", "1e999"), "more than Stepdown accepts"),
        (("alprazolam", "50"), "50 mg of alprazolam is more than Stepdown accepts (20 mg a day)"),
        (("diazepam", "0.123456"), "at most 4 decimal places"),
        (("etizolam", "1"), "is not in Stepdown&#x27;s drug list"),
        (("", "0.5"), "Please choose which drug this dose was."),
        (("diazepam", ""), "Please enter how many mg you took"),
        (("diazepam", "5", "25:99"), "Please enter a time like 08:00."),
    ],
)
def test_bad_dose_is_explained_and_everything_typed_is_kept(member_client, journal, dose, message):
    data = entry_data([dose], s_headache="2", notes="Please keep this note.")
    response = member_client.post(entry_url(today()), data)
    html = response.content.decode()
    assert response.status_code == 400
    assert message in html
    assert "Please check what you wrote" in html
    assert "Please keep this note." in html
    assert 'value="2" id="id_s_headache_2" checked' in html
    if dose[1]:
        assert f'value="{dose[1]}"' in html
    assert not Entry.objects.exists()


def test_daily_total_above_the_bound_is_refused_even_when_each_dose_is_below(
    member_client, journal
):
    doses = [("alprazolam", "8"), ("alprazolam", "8"), ("alprazolam", "8")]
    response = member_client.post(entry_url(today()), entry_data(doses))
    assert response.status_code == 400
    assert "Together: 24 mg of alprazolam is more than Stepdown accepts" in (
        response.content.decode()
    )


def test_no_dose_ticked_with_doses_entered_is_explained(member_client, journal):
    data = entry_data([("diazepam", "5")], no_dose_taken="on")
    response = member_client.post(entry_url(today()), data)
    assert response.status_code == 400
    assert "and also entered doses" in response.content.decode()


@pytest.mark.parametrize("sleep", ["-1", "25", "lots"])
def test_impossible_sleep_hours_are_explained(member_client, journal, sleep):
    response = member_client.post(entry_url(today()), entry_data(sleep_hours=sleep))
    assert response.status_code == 400
    assert "hours of sleep from 0 to 24" in response.content.decode()


def test_notes_too_long_are_kept_with_a_message(member_client, journal):
    notes = "x" * 10_001
    response = member_client.post(entry_url(today()), entry_data(notes=notes))
    html = response.content.decode()
    assert response.status_code == 400 and "Your notes are too long" in html and notes in html


@pytest.mark.parametrize(
    "day, message",
    [
        ("2025-02-30", "is not a date on the calendar"),
        ("yesterday", "is not a date on the calendar"),
        ((today() + timedelta(days=5)).isoformat(), "is in the future"),
        ("1899-12-31", "after 1960"),
    ],
)
def test_impossible_or_future_day_is_explained_without_crashing(
    member_client, journal, day, message
):
    for response in (
        member_client.get(entry_url(day)),
        member_client.post(entry_url(day), entry_data(notes="x")),
        member_client.get(JOURNAL, {"day": day}),
    ):
        assert response.status_code == 400
        assert message in response.content.decode()
    assert not Entry.objects.exists()


def test_day_picker_opens_the_chosen_day(member_client, journal):
    response = member_client.get(JOURNAL, {"day": days_ago(3).isoformat()})
    assert response.status_code == 302
    assert response["Location"] == entry_url(days_ago(3))


def test_tampered_dose_rows_are_refused_without_crashing(member_client, journal):
    data = entry_data([("diazepam", "5")])
    data["dose-TOTAL_FORMS"] = "5000"
    response = member_client.post(entry_url(today()), data)
    assert response.status_code == 400
    data = {"notes": "no management form"}
    assert member_client.post(entry_url(today()), data).status_code == 400


def test_entry_can_be_deleted_by_its_owner(member_client, journal):
    log_day(journal, days_ago(1), [("diazepam", "5")])
    response = member_client.post(f"{entry_url(days_ago(1))}delete/")
    assert response.status_code == 302
    assert not Entry.objects.exists()


def test_journal_writes_are_rate_limited_with_input_kept(member_client, journal, settings):
    settings.STEPDOWN_RATE_LIMITS = {**settings.STEPDOWN_RATE_LIMITS, "journal": "2/10m/user"}
    for n in range(2):
        response = member_client.post(entry_url(today()), entry_data(notes=f"save {n}"))
        assert response.status_code == 302
    response = member_client.post(entry_url(today()), entry_data(notes="third save"))
    assert response.status_code == 429
    assert "Retry-After" in response
    assert "third save" in response.content.decode()
    assert Entry.objects.get().notes == "save 1"
