"""Steps the browser walks share."""

import re
import time

from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from playwright.sync_api import expect

from tests.factories import PASSWORD


def sign_in(page, username: str, next_url: str, *, totp_secret: str = "") -> None:
    """Sign in through the form and land on ``next_url`` with its scripts running."""
    page.goto(f"/accounts/login/?next={next_url}")
    page.get_by_label("Username or email").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In", exact=True).click()
    if totp_secret:
        code = format_hotp_value(hotp_value(totp_secret, int(time.time()) // 30))
        page.get_by_label(re.compile("code", re.IGNORECASE)).first.fill(code)
        page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(re.escape(next_url)))
    # The address changes as the next page starts to arrive, before its scripts run; wait for
    # them, or keys typed next reach a textarea that nothing listens to yet.
    page.wait_for_load_state("load")
