"""The demo community that `stepdown demo` (and `make run` on first start) creates.

Every text here was written for Stepdown's demo. The shared article is real:
Edinoff AN, Nix CA, Hollier J, et al. "Benzodiazepines: Uses, Dangers, and Clinical
Considerations." Neurology International 2021;13(4):594-607. doi:10.3390/neurolint13040059.
The summary of it below is our own wording, not the paper's abstract.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction

from stepdown.accounts.models import TrustLevel

from .actions import ArticleDetails, create_reply, create_topic, set_recommended
from .models import Access, Category, PostAccess

MEMBERS = [
    ("willow", "willow@example.org", True),
    ("harbourlight", "harbourlight@example.org", False),
    ("slowandsteady", "slowandsteady@example.org", False),
    ("marisol", "marisol@example.org", False),
    ("quietfern", "quietfern@example.org", False),
]

CATEGORIES = [
    {
        "slug": "announcements",
        "name": "Announcements",
        "description": "News from the moderators about the community and its tools.",
        "post_access": PostAccess.MODERATORS,
    },
    {
        "slug": "introductions",
        "name": "Introductions",
        "description": "New here? Say hello and, if you like, share where you are in your taper.",
    },
    {
        "slug": "tapering-support",
        "name": "Tapering support",
        "description": "Day-to-day support while reducing: questions, setbacks and small wins.",
        "authors_may_recommend": True,
    },
    {
        "slug": "research",
        "name": "Research and articles",
        "description": "Studies, reviews and guidelines about benzodiazepines, shared and "
        "discussed in plain language.",
    },
    {
        "slug": "members-lounge",
        "name": "Members' lounge",
        "description": "A quieter room for signed-in members: off-topic chat and encouragement.",
        "read_access": Access.MEMBERS,
    },
]

ARTICLE = ArticleDetails(
    title="Benzodiazepines: Uses, Dangers, and Clinical Considerations",
    authors="Amber N. Edinoff, Catherine A. Nix, Janice Hollier, Caroline E. Sagrera, "
    "Blake M. Delacroix, Tosin Abubakar, Elyse M. Cornett, Adam M. Kaye, Alan D. Kaye",
    source="Neurology International, 13(4), 594-607",
    published="November 2021",
    doi="10.3390/neurolint13040059",
    abstract=(
        "Summary written for this forum (not the paper's own abstract):\n\n"
        "This narrative review walks through how benzodiazepines act on GABA-A receptors, what "
        "they are prescribed for (anxiety, insomnia, seizures, alcohol withdrawal, sedation "
        "before procedures) and why their place in treatment has become contested. The authors "
        "set the short-term benefits against the harms that build up with longer use: tolerance, "
        "physical dependence, memory and balance problems, falls in older people, and the "
        "danger of combining them with opioids or alcohol.\n\n"
        "For people who are tapering, the most useful parts are the sections on withdrawal and "
        "discontinuation: stopping suddenly after regular use can be dangerous, and the review "
        "supports a gradual, supervised reduction that is adjusted to how the person copes."
    ),
)

ARTICLE_POST = """I came across this review and thought it was worth sharing here, because it \
puts a lot of what we talk about into one place.

What stood out to me:

- It is plain about **physical dependence** being an expected effect of regular use, not a \
character flaw.
- It lists the risks of stopping abruptly and recommends a **gradual taper** with support.
- The section on older adults (falls, memory) explained a lot about my mum's experience.

It is a review, so it summarises other studies rather than reporting a new trial. I'd be glad \
to hear what others make of it, especially anyone who has shown it to their prescriber."""

ARTICLE_REPLIES = [
    (
        "harbourlight",
        """Thank you for posting this. I printed the withdrawal section and took it \
to my GP last month. Having something from a journal made the conversation about going slower \
much easier than just saying "I feel awful".""",
    ),
    (
        "slowandsteady",
        """Useful summary. One thing I'd add from my own taper: the review talks \
about tapering "gradually" but doesn't give one schedule for everyone, and I think that's \
right. My pace changed several times depending on how I was coping.

> stopping suddenly after regular use can be dangerous

This is the part I wish I had known years ago.""",
    ),
    (
        "marisol",
        """I found the part about combining benzodiazepines with other sedatives \
sobering. Worth reading for anyone whose doctor has added a sleep medication on top.""",
    ),
    (
        "quietfern",
        """Bookmarking this. I'm too foggy to read the whole paper today, so the \
summary at the top is a kindness. Thank you.""",
    ),
    (
        "willow",
        """Moderator note: I've marked a couple of replies as **Recommended** because \
they show how members have used the paper with their prescribers. As always, please talk over \
any change to your dose with the person who prescribes it.""",
    ),
]

WELCOME = """Welcome. This is a peer-support community for people reducing or coming off \
benzodiazepines and Z-drugs, and for the people who support them.

A few things that keep this place safe and kind:

1. Share your experience, not prescriptions. What worked for one person is information, not \
advice.
2. Be gentle with each other. Many of us are tired, anxious or foggy.
3. Never share or ask for ways to get medication outside a prescription.

If you are in crisis, please contact your local emergency number."""

INTRO_POST = """Hi everyone. I'm about four months into a slow taper and found this place \
through a friend. Mostly here to read for now, but it helps to know others are going through \
the same thing."""

INTRO_REPLIES = [
    ("marisol", "Welcome! Reading is a perfectly good way to take part. Go at your own pace."),
    ("slowandsteady", "Hello and welcome. Four months is real progress, whatever the numbers say."),
]

SUPPORT_POST = """For anyone who finds long threads overwhelming: what are the small things \
that get you through a hard day? I'll start: a short walk before it gets bright, and writing \
down one thing that went okay."""

SUPPORT_REPLIES = [
    "Warm shower, then lying down with an audiobook at low volume.",
    "Reminding myself that waves pass, even when it doesn't feel like they will.",
    "Cooking something simple so I have done one thing for myself.",
    "Texting one friend, even just an emoji.",
    "Keeping the lights low in the evening.",
    "Sitting in the garden for ten minutes with a cup of tea.",
    "Writing a short note in my journal, even on days when it's just 'rough'.",
    "Stretching gently on the floor before bed.",
    "Reading old posts here from people who came out the other side.",
    "Going easy on news and social media.",
]

LOUNGE_POST = """A members-only space for chat that isn't about tapering at all. What are you \
reading, watching or growing at the moment?"""


@transaction.atomic
def create_demo_community() -> bool:
    """Create the demo members, categories and topics; do nothing if any category exists."""
    if Category.objects.exists():
        return False
    user_model = get_user_model()
    members = {}
    for username, email, is_moderator in MEMBERS:
        # Established members: their posts need no approval (accounts start at "new").
        member = user_model(
            username=username,
            email=email,
            is_moderator=is_moderator,
            trust_level=TrustLevel.MEMBER,
        )
        member.set_unusable_password()  # demo members cannot be signed in to
        member.save()
        members[username] = member
    categories = {}
    for position, fields in enumerate(CATEGORIES):
        categories[fields["slug"]] = Category.objects.create(position=position, **fields)

    create_topic(
        categories["announcements"],
        author=members["willow"],
        title="Welcome to Stepdown: please read first",
        body=WELCOME,
    )
    intro = create_topic(
        categories["introductions"],
        author=members["quietfern"],
        title="Hello from a slow taperer",
        body=INTRO_POST,
    )
    for username, body in INTRO_REPLIES:
        create_reply(intro, author=members[username], body=body)

    support = create_topic(
        categories["tapering-support"],
        author=members["harbourlight"],
        title="Small things that help on a hard day",
        body=SUPPORT_POST,
    )
    rotation = ["marisol", "slowandsteady", "quietfern", "willow", "harbourlight"]
    for number in range(45):
        author = members[rotation[number % len(rotation)]]
        text = SUPPORT_REPLIES[number % len(SUPPORT_REPLIES)]
        create_reply(support, author=author, body=text)

    article_topic = create_topic(
        categories["research"],
        author=members["marisol"],
        tag="Review, Nov/21",
        title="Benzodiazepines: Uses, Dangers, and Clinical Considerations",
        body=ARTICLE_POST,
        article=ARTICLE,
    )
    replies = {}
    for username, body in ARTICLE_REPLIES:
        replies[username] = create_reply(article_topic, author=members[username], body=body)
    for username in ("harbourlight", "slowandsteady"):
        set_recommended(replies[username], by=members["willow"], recommended=True)

    create_topic(
        categories["members-lounge"],
        author=members["slowandsteady"],
        title="What's keeping you company this week?",
        body=LOUNGE_POST,
    )
    return True
