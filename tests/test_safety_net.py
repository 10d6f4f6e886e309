"""The safety net: crisis and rule phrases checked on posts, messages and journal notes; the
author sees a gentle panel with crisis resources; moderators get an alert; hold or keep."""

from datetime import date

import pytest
from django.test import Client

from stepdown.conversations import actions as conversations
from stepdown.core import safety
from stepdown.core.safety import Phrase, find_matches
from stepdown.forum import actions
from stepdown.forum.models import Approval, Post
from stepdown.journals import actions as journals
from stepdown.journals.actions import DoseInput, EntryInput
from stepdown.moderation.models import AuditEntry, SafetyAlert, SafetyPhrase
from stepdown.notifications.models import Kind, Notification
from tests.factories import UserFactory, make_topic

pytestmark = pytest.mark.django_db

PANEL = 'class="safety-panel"'
CRISIS_TITLE = "You are not alone"
RULE_TITLE = "A gentle reminder"
ALERTS = "/moderation/safety/"


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture(autouse=True)
def phrases(db):
    """A small list of our own, whatever the seeded one holds."""
    SafetyPhrase.objects.all().delete()
    SafetyPhrase.objects.bulk_create(
        [
            SafetyPhrase(kind="crisis", phrase="end my life"),
            SafetyPhrase(kind="crisis", phrase="kill myself"),
            SafetyPhrase(kind="crisis", phrase="self harm*"),
            SafetyPhrase(kind="crisis", phrase="don't want to live"),
            SafetyPhrase(kind="rule", phrase="sell* pills"),
            SafetyPhrase(kind="rule", phrase="buy* benzo*"),
        ]
    )


@pytest.fixture
def topic(category, other_member):
    return make_topic(category, author=other_member, title="Hard days")


def reply(client, topic, body):
    return client.post(f"/t/{topic.pk}/reply/", {"body": body}, follow=True)


# --- Matching ----------------------------------------------------------------------------------

PHRASES = [
    Phrase("crisis", "kill myself"),
    Phrase("crisis", "self harm*"),
    Phrase("crisis", "don't want to live"),
    Phrase("rule", "buy* benzo*"),
]


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("Some days I want to kill myself.", ["kill myself"]),
        ("KILL MYSELF", ["kill myself"]),
        ("kill\nmyself", ["kill myself"]),
        ("I've been self-harming again", ["self harm*"]),
        ("self harm", ["self harm*"]),
        ("I don’t want to live like this", ["don't want to live"]),  # typographic apostrophe
        ("I dont want to live", ["don't want to live"]),
        ("Where can I buy benzos?", ["buy* benzo*"]),
        ("buying benzodiazepines online", ["buy* benzo*"]),
        ("I was killing time in the waiting room", []),
        ("This withdrawal is killing me", []),
        ("I will skill myself up", []),  # not a whole word
        ("kill myselfie", []),
        ("a selfharmony choir", []),
        ("Thanks for the benzo buyer's guide", []),  # the words in another order
        ("", []),
    ],
)
def test_matching_is_whole_words_ignoring_case_with_trailing_wildcards(text, found):
    assert find_matches(text, PHRASES).phrases() == found


def test_match_knows_its_kinds():
    match = find_matches("kill myself, buy benzos", PHRASES)
    assert match.kinds == ("crisis", "rule")
    assert match.crisis and match.rule and match.first_kind == "crisis"
    assert not find_matches("a calm day", PHRASES)


def test_seeded_list_notices_first_person_crisis_words_and_not_everyday_ones(db):
    from importlib import import_module

    from django.apps import apps

    seed = import_module("stepdown.moderation.migrations.0004_seed_safety_phrases").seed
    SafetyPhrase.objects.all().delete()
    seed(apps, None)
    assert safety.check("Honestly I want to end my life").crisis
    assert safety.check("I keep thinking about selling my pills").rule
    assert not safety.check("The taper is killing me, but I will keep going")
    assert not safety.check("The study found a higher suicide risk in the first weeks")
    assert not safety.check("Where can I buy a pill cutter?")


# --- Posts -------------------------------------------------------------------------------------


def test_author_sees_the_crisis_panel_with_resources_after_posting(member_client, topic, settings):
    settings.STEPDOWN_CRISIS_LOCALE = "US"
    response = reply(member_client, topic, "I don't want to live like this any more.")
    html = response.content.decode()
    assert PANEL in html and CRISIS_TITLE in html
    assert 'href="tel:988"' in html and 'href="sms:741741"' in html
    assert "Your reply is posted." in html
    # Once: the next page is calm again.
    assert PANEL not in member_client.get(topic.get_absolute_url()).content.decode()


def test_rule_phrase_shows_a_gentle_reminder_not_the_crisis_wording(member_client, topic):
    html = reply(member_client, topic, "Anyone selling pills near me?").content.decode()
    assert RULE_TITLE in html and CRISIS_TITLE not in html
    assert "never to offer, ask for, buy, sell or swap medicines" in html


def test_no_panel_and_no_alert_for_an_ordinary_post(member_client, topic):
    html = reply(member_client, topic, "I was killing time with a puzzle.").content.decode()
    assert PANEL not in html
    assert not SafetyAlert.objects.exists()


def test_post_alerts_the_moderators_with_high_priority(
    member, member_client, topic, moderator, django_capture_on_commit_callbacks
):
    UserFactory(username="admin", is_superuser=True, is_staff=True)
    with django_capture_on_commit_callbacks(execute=True):
        reply(member_client, topic, "I think about how to end my life.")
    post = Post.objects.get(author=member)
    alert = SafetyAlert.objects.get()
    assert (alert.kind, alert.author, alert.target_type, alert.target_id) == (
        "crisis",
        member,
        "post",
        post.pk,
    )
    assert alert.matched == ["end my life"] and not alert.held
    told = Notification.objects.filter(kind=Kind.SAFETY)
    assert set(told.values_list("recipient__username", flat=True)) == {"moderator", "admin"}
    note = told.get(recipient=moderator)
    assert "may be about suicide or self-harm" in note.text and "member" in note.text
    assert note.url == f"{ALERTS}#alert-{alert.pk}"


def test_an_alert_is_emailed_at_once_to_a_moderator_with_a_daily_summary(
    member,
    member_client,
    topic,
    moderator,
    other_member,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    from stepdown.notifications import actions as notifications
    from stepdown.notifications import tasks

    notifications.save_preferences(moderator, email_frequency="daily")
    notifications.notify(
        [moderator.pk], kind="mention", actor=other_member, text="other mentioned you", url="/p/1/"
    )
    with django_capture_on_commit_callbacks(execute=True):
        reply(member_client, topic, "I want to kill myself.")
    alert = Notification.objects.get(recipient=moderator, kind=Kind.SAFETY)
    assert alert.email_pending
    assert tasks.send_notification_email.call(moderator.pk) == "sent"
    [message] = mailoutbox
    assert "may be about suicide or self-harm" in message.body
    assert "other mentioned you" not in message.body  # that one waits for the summary
    assert Notification.objects.get(recipient=moderator, kind="mention").email_pending


def test_an_alert_cannot_be_turned_off(
    member, member_client, topic, moderator, django_capture_on_commit_callbacks
):
    from stepdown.notifications import actions as notifications

    # Every kind switched off, as an older settings form could store it: the alert still shows.
    notifications.save_preferences(moderator, delivery={kind.value: "off" for kind in Kind})
    with django_capture_on_commit_callbacks(execute=True):
        reply(member_client, topic, "I want to kill myself.")
    alert = Notification.objects.get(recipient=moderator, kind=Kind.SAFETY)
    assert not alert.email_pending  # "here only", the nearest to what they chose
    page = signed_in(moderator).get("/notifications/").content.decode()
    assert "may be about suicide or self-harm" in page and "Safety alert" in page


def test_an_alert_is_not_emailed_to_a_moderator_who_chose_no_email(
    member, member_client, topic, moderator, mailoutbox, django_capture_on_commit_callbacks
):
    from stepdown.notifications import actions as notifications
    from stepdown.notifications import tasks

    notifications.save_preferences(moderator, email_frequency="none")
    with django_capture_on_commit_callbacks(execute=True):
        reply(member_client, topic, "I want to kill myself.")
    alert = Notification.objects.get(recipient=moderator, kind=Kind.SAFETY)
    assert not alert.email_pending  # shown in the app only
    assert tasks.send_notification_email.call(moderator.pk) == "skipped"
    assert mailoutbox == []


def test_only_moderators_see_the_alert_setting_and_it_has_no_off(moderator, member):
    label = "Safety-net alerts (moderators only)"
    page = signed_in(moderator).get("/notifications/settings/").content.decode()
    assert label in page
    assert 'name="delivery_safety" value="app"' in page
    assert 'name="delivery_safety" value="off"' not in page
    assert label not in signed_in(member).get("/notifications/settings/").content.decode()


def test_keep_setting_posts_as_usual(member, member_client, topic, settings):
    settings.STEPDOWN_SAFETY_HOLD = "keep"
    reply(member_client, topic, "I want to kill myself.")
    assert Post.objects.get(author=member).approval == Approval.APPROVED


def test_hold_setting_holds_the_post_for_review_with_a_reason(
    member, member_client, topic, moderator, settings
):
    settings.STEPDOWN_SAFETY_HOLD = "hold"
    html = reply(member_client, topic, "I want to kill myself.").content.decode()
    post = Post.objects.get(author=member)
    assert post.approval == Approval.PENDING
    assert "Your post waits for a moderator before others see it" in html
    assert PANEL in html and CRISIS_TITLE in html
    alert = SafetyAlert.objects.get()
    assert alert.held
    entry = AuditEntry.objects.get(action="post.hold")
    assert entry.actor is None and entry.member == member
    queue = signed_in(moderator).get("/moderation/approval/").content.decode()
    assert "I want to kill myself." in queue
    assert "Held by the safety net: crisis words" in queue


def test_hold_setting_never_holds_moderators(moderator, topic, settings):
    settings.STEPDOWN_SAFETY_HOLD = "hold"
    reply(signed_in(moderator), topic, "If you want to end my life story, read on.")
    assert Post.objects.get(author=moderator).approval == Approval.APPROVED


def test_new_topic_title_and_text_are_checked(member_client, category):
    response = member_client.post(
        f"/c/{category.slug}/new/", {"title": "Buying benzos", "body": "Where?"}, follow=True
    )
    assert RULE_TITLE in response.content.decode()
    assert SafetyAlert.objects.get().kind == "rule"


def test_edit_that_adds_a_phrase_alerts_once(member, member_client, topic):
    post = actions.create_reply(topic, author=member, body="A hard week.")
    response = member_client.post(
        f"/p/{post.pk}/edit/", {"body": "A hard week. I could kill myself."}, follow=True
    )
    assert CRISIS_TITLE in response.content.decode()
    member_client.post(f"/p/{post.pk}/edit/", {"body": "A hard week. I could kill myself!"})
    assert SafetyAlert.objects.count() == 1


# --- Messages ----------------------------------------------------------------------------------


def test_message_shows_the_panel_and_alerts_without_the_text(
    member, member_client, other_member, moderator, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = member_client.post(
            "/messages/new/",
            {"recipients": "other", "subject": "Hi", "body": "I could sell pills to you."},
            follow=True,
        )
    html = response.content.decode()
    assert PANEL in html and RULE_TITLE in html
    alert = SafetyAlert.objects.get()
    assert (alert.target_type, alert.kind, alert.matched) == ("message", "rule", ["sell* pills"])
    page = signed_in(moderator).get(ALERTS).content.decode()
    assert "A private message" in page
    assert "I could sell pills to you." not in page


def test_reply_in_a_conversation_is_checked_too(member, member_client, other_member):
    conversation = conversations.start_conversation(
        member, [other_member], subject="Us", body="Hello."
    )
    response = member_client.post(
        f"/messages/{conversation.pk}/reply/", {"body": "I feel like self-harming."}, follow=True
    )
    assert CRISIS_TITLE in response.content.decode()
    assert SafetyAlert.objects.get().target_type == "message"


# --- Journal notes -----------------------------------------------------------------------------


@pytest.fixture
def journal(member):
    return journals.grant_consent(member)


def save_entry(client, day, notes):
    return client.post(
        f"/journal/entry/{day.isoformat()}/",
        {
            "dose-TOTAL_FORMS": "1",
            "dose-INITIAL_FORMS": "0",
            "dose-0-drug": "diazepam",
            "dose-0-mg": "4",
            "notes": notes,
        },
        follow=True,
    )


def test_journal_note_shows_the_panel_and_the_alert_keeps_the_note_private(
    member, member_client, journal, moderator
):
    day = date.today()
    html = save_entry(member_client, day, "Dark night, I wanted to end my life.").content.decode()
    assert PANEL in html and CRISIS_TITLE in html
    alert = SafetyAlert.objects.get()
    assert (alert.target_type, alert.author, alert.matched) == ("journal_note", member, [])
    page = signed_in(moderator).get(ALERTS).content.decode()
    assert "A note in their private journal" in page
    assert "Dark night" not in page and "end my life" not in page
    assert f"/messages/new/?to={member.username}" in page


def test_journal_note_alerts_once_for_the_same_text(member_client, journal):
    day = date.today()
    save_entry(member_client, day, "I want to end my life.")
    html = save_entry(member_client, day, "I want to end my life.").content.decode()
    assert PANEL not in html
    assert SafetyAlert.objects.count() == 1


def test_journal_notes_are_not_checked_for_rule_phrases(member, journal):
    journals.save_entry(
        journal,
        day=date.today(),
        data=EntryInput(doses=(DoseInput("diazepam", 5),), notes="Thought of selling pills."),
    )
    assert not SafetyAlert.objects.exists()


# --- Admins and moderators ---------------------------------------------------------------------


def test_admin_added_phrase_takes_effect_at_once(member_client, topic, db):
    admin = UserFactory(username="admin", is_staff=True, is_superuser=True, two_factor=True)
    assert PANEL not in reply(member_client, topic, "I feel hopeless.").content.decode()
    response = signed_in(admin).post(
        "/admin/moderation/safetyphrase/add/",
        {"kind": "crisis", "phrase": "hopeless", "active": "on", "note": ""},
    )
    assert response.status_code == 302
    assert PANEL in reply(member_client, topic, "Still hopeless.").content.decode()


def test_deactivated_phrase_is_not_looked_for(member_client, topic):
    SafetyPhrase.objects.filter(phrase="kill myself").update(active=False)
    safety_cache_cleared = SafetyPhrase.objects.get(phrase="end my life")
    safety_cache_cleared.save()  # any save clears the cached list
    assert PANEL not in reply(member_client, topic, "kill myself").content.decode()


def test_alerts_page_lists_crisis_first_and_handling_is_logged(member, moderator, topic):
    actions.create_reply(topic, author=member, body="Selling pills, ask me.")
    crisis = actions.create_reply(topic, author=member, body="I will kill myself.")
    client = signed_in(moderator)
    html = client.get(ALERTS).content.decode()
    assert html.index("Crisis words") < html.index("Buying or selling medicines")
    assert f"/p/{crisis.pk}/" in html
    alert = SafetyAlert.objects.get(kind="crisis")
    response = client.post(f"{ALERTS}{alert.pk}/handle/", {"note": "Wrote to them."}, follow=True)
    assert "The alert is marked as handled." in response.content.decode()
    alert.refresh_from_db()
    assert alert.status == "handled" and alert.handled_by == moderator
    entry = AuditEntry.objects.get(action="safety.handle")
    assert (entry.reason, entry.member) == ("Wrote to them.", member)


def test_alerts_page_is_for_moderators_only(member, member_client):
    assert member_client.get(ALERTS).status_code == 404
    alert = SafetyAlert.objects.create(kind="crisis", author=member, target_type="post")
    assert member_client.post(f"{ALERTS}{alert.pk}/handle/").status_code == 404
    alert.refresh_from_db()
    assert alert.status == "open"
