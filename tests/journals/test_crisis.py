"""Crisis resources: data with sources, one locale chosen by the admin, a safe fallback.

The resources are read from the admin-edited rows (seeded from crisis.json), hence ``db``.
"""

import json

import pytest

from stepdown.core.crisis import (
    CRISIS_PATH,
    CrisisDataError,
    check_crisis_locale,
    crisis_locale,
    load_crisis_data,
)


def test_us_resources_are_988_call_and_text_crisis_text_line_and_911(db):
    us = crisis_locale("US")
    assert not us.needs_check
    numbers = {(r.name, r.call, r.text) for r in us.resources}
    assert ("988 Suicide & Crisis Lifeline", "988", "988") in numbers
    assert ("Crisis Text Line", None, "741741") in numbers
    assert us.emergency.call == "911"


def test_every_resource_names_its_source_and_other_locales_await_the_admins_check():
    data = load_crisis_data()
    assert {"US", "UK", "IE", "CA", "AU", "INTL"} <= set(data.locales)
    for code, locale in data.locales.items():
        assert locale.needs_check == (code != "US"), code
        for resource in locale.resources:
            assert resource.source, (code, resource.name)


def test_default_locale_comes_from_settings_and_unknown_falls_back_to_international(settings, db):
    settings.STEPDOWN_CRISIS_LOCALE = "AU"
    assert crisis_locale().resources[0].call == "13 11 14"
    settings.STEPDOWN_CRISIS_LOCALE = "ZZ"
    assert crisis_locale().resources[0].url == "https://findahelpline.com/"


def test_system_check_warns_while_the_chosen_locale_is_unchecked(settings, db):
    settings.STEPDOWN_CRISIS_LOCALE = "US"
    assert check_crisis_locale() == []
    settings.STEPDOWN_CRISIS_LOCALE = "UK"
    assert [w.id for w in check_crisis_locale()] == ["stepdown.W102"]


def test_malformed_crisis_data_fails_loudly(tmp_path):
    raw = json.loads(CRISIS_PATH.read_text())
    raw["locales"]["US"]["resources"][0]["kind"] = "maybe"
    path = tmp_path / "crisis.json"
    path.write_text(json.dumps(raw))
    with pytest.raises(CrisisDataError, match="'US'"):
        load_crisis_data(path)
