"""What a member agrees to before their first journal entry (GDPR Art. 9(2)(a) explicit consent).

Each ConsentRecord stores ``CONSENT_VERSION``. Change the version whenever the wording changes in
meaning, so the log shows which text each member agreed to.
"""

from django.utils.translation import gettext_lazy as _

CONSENT_VERSION = "2025-1"

CONSENT_POINTS = (
    _(
        "Your journal holds health data: the doses you take, your symptoms, your sleep and your "
        "notes. Stepdown keeps it so you can follow your taper and see it in a chart."
    ),
    _(
        "It is private: only you can see it. Nothing is shown to anyone else unless you choose "
        "it yourself, item by item: your chart to signed-in members or through a secret link, "
        "and a one-line taper signature under your posts."
    ),
    _(
        "The community's admins run the server it is stored on. It is never sold or shared with "
        "anyone outside the community."
    ),
    _(
        "You can withdraw your consent at any time: no new entries are kept, and sharing and "
        "your signature stop at once. You can download your journal (JSON or CSV) and delete it "
        "completely whenever you like, and it is deleted with your account."
    ),
)

CONSENT_STATEMENT = _(
    "I agree that Stepdown keeps my dose and symptom journal, as described above. I can "
    "withdraw this consent at any time."
)
