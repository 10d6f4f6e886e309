import factory
from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone

from stepdown.forum import actions
from stepdown.forum.models import Category

PASSWORD = "a calm river at dawn"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"member{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.django.Password(PASSWORD)
    # An established member who accepted the current guidelines, by default; tests of
    # new-member rules ask for trust_level=0.
    trust_level = 2
    rules_version = factory.LazyFunction(lambda: settings.STEPDOWN_RULES_VERSION)
    rules_accepted_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def two_factor(user, create, extracted, **kwargs):
        """UserFactory(two_factor=True) sets up an authenticator app for the member."""
        if create and extracted:
            TOTP.activate(user, generate_totp_secret())

    @factory.post_generation
    def verified_email(user, create, extracted, **kwargs):
        if create:
            EmailAddress.objects.get_or_create(
                user=user, email=user.email, defaults={"verified": True, "primary": True}
            )


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Category {n}")
    slug = factory.Sequence(lambda n: f"category-{n}")
    description = "A place to talk."


def make_topic(category, *, author=None, title="A topic", body="First post.", replies=0, **kw):
    """A topic made through the real action, with ``replies`` replies after the first post."""
    author = author or UserFactory()
    topic = actions.create_topic(category, author=author, title=title, body=body, **kw)
    for number in range(replies):
        actions.create_reply(topic, author=author, body=f"Reply number {number + 1}.")
    topic.refresh_from_db()
    return topic
