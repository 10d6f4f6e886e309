"""Steps the browser walks share."""

import re
import time
from urllib.parse import urlsplit

from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

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
    # The sign-in page's own address holds ``next_url`` (as ?next=), so compare the path of
    # the page reached, and wait for its load event: keys typed before the page's scripts run
    # reach a textarea that nothing listens to yet.
    wanted = urlsplit(next_url)
    page.wait_for_url(
        lambda url: urlsplit(url)[2:4] == wanted[2:4],
        wait_until="load",
    )
