"""Whatever a member types, pages answer with a message, never a server error."""

import pytest

pytestmark = pytest.mark.django_db

ODD_NUMBERS = [
    "1e999",
    "-1e999",
    "nan",
    "inf",
    "-0",
    "0",
    "1e-999",
    "0x10",
    "1,5",
    "½",
    "",
    " ",
    "99999999999999999999999999999999",
    "0.0000000000001",
    "1" * 400,
]


@pytest.mark.parametrize("mg", ODD_NUMBERS)
def test_equivalence_page_never_fails_on_odd_doses(client, mg):
    response = client.get(
        "/taper/equivalence/", {"from_drug": "alprazolam", "mg": mg, "to_drug": "lorazepam"}
    )
    assert response.status_code in (200, 400)
    if response.status_code == 400:
        assert 'class="field__errors"' in response.content.decode()


@pytest.mark.parametrize("drug", ["street-xanax", "", "../../etc/passwd", "alprazolam\x00"])
def test_equivalence_page_refuses_unknown_drugs_with_a_message(client, drug):
    response = client.get("/taper/equivalence/", {"from_drug": drug, "mg": "1"})
    assert response.status_code == 400
    assert 'class="field__errors"' in response.content.decode()
