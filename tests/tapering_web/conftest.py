import pytest

from tests.factories import UserFactory


@pytest.fixture
def owner(db):
    return UserFactory(username="owner")


@pytest.fixture
def owner_client(client, owner):
    client.force_login(owner)
    return client


START = "2027-01-04"

# A complete plan form: clonazepam 1 mg at night, 10% of the current dose every 14 days,
# measured as exact amounts. Tests change what they are about.
PLAN_FORM = {
    "drug": "clonazepam",
    "title": "",
    "night": "1",
    "method": "proportional",
    "cut": "10",
    "interval_days": "14",
    "start_date": START,
    "supply": "exact",
    "split": "whole",
    "precision_ml": "0.1",
    "target_mg": "0",
}


def make_plan(owner, *, title="My clonazepam plan", sharing=None, **changes):
    """A saved plan made through the real generator and action."""
    from datetime import date

    from stepdown.tapering import actions
    from stepdown.tapering.plan_inputs import PlanInputs, Supply, generate

    values = {
        "drug_id": "clonazepam",
        "doses": {"night": "1"},
        "method": "proportional",
        "cut": "10",
        "interval_days": 14,
        "start_date": date(2027, 1, 4),
        "supply": Supply(kind="exact"),
    }
    values.update(changes)
    inputs = PlanInputs(**values)
    plan = actions.create_plan(owner, inputs=inputs, generated=generate(inputs), title=title)
    if sharing:
        plan = actions.set_sharing(plan, sharing=sharing)
    return plan
