"""The safety net's core: phrase matching, and the hooks the apps call, without any models.

Admins keep a list of phrases (``moderation.SafetyPhrase``): *crisis* phrases (thoughts of
suicide or self-harm) and *rule* phrases (arranging to buy or sell medicines). Posts, private
messages and journal notes are checked against them. When something matches, the author sees a
gentle panel with crisis resources on the next page (``show_panel``; the ``safety_panel``
template tag in ``base.html`` shows it once), and the moderators get an alert.

Everything that writes content sits in an app that may not import the moderation app (the
forum and conversations are beside or below it, journals may import only core and accounts).
So the moderation app registers two things here from its ``AppConfig.ready()``:

- a *phrase source*: returns the active phrases (cached by the moderation app);
- an *alert handler*: records a ``SafetyAlert``, tells the moderators, writes the audit entry.

Matching rules (``find_matches``, pure): whole words, ignoring case; the words of a phrase may be
separated by any spaces, line breaks or hyphens ("self harm" finds "self-harm"); a ``*`` at the
end of a word matches any ending ("overdos*" finds "overdose" and "overdosing"); typographic
apostrophes count as plain ones and an apostrophe in a phrase is optional ("don't" finds
"dont"). "kill myself" never finds "killing time": only whole words of the phrase match.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from django.conf import settings

CRISIS = "crisis"
RULE = "rule"
KINDS = (CRISIS, RULE)

# What an alert points at. Journal notes are private: an alert about one never carries its text.
POST = "post"
MESSAGE = "message"
JOURNAL_NOTE = "journal_note"

# STEPDOWN_SAFETY_HOLD: what happens to a forum post that matched.
KEEP = "keep"  # posted as usual; moderators are alerted
HOLD = "hold"  # waits in the approval queue until a moderator approves it

PANEL_SESSION_KEY = "stepdown_safety_panel"


@dataclass(frozen=True)
class Phrase:
    kind: str  # CRISIS or RULE
    phrase: str


@dataclass(frozen=True)
class SafetyMatch:
    """The phrases a text matched (empty: nothing did). False when nothing matched."""

    matched: tuple[Phrase, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.matched)

    @property
    def kinds(self) -> tuple[str, ...]:
        return tuple(kind for kind in KINDS if any(p.kind == kind for p in self.matched))

    @property
    def crisis(self) -> bool:
        return CRISIS in self.kinds

    @property
    def rule(self) -> bool:
        return RULE in self.kinds

    @property
    def first_kind(self) -> str:
        """CRISIS if any crisis phrase matched (it matters most), else RULE."""
        return CRISIS if self.crisis else RULE

    def phrases(self) -> list[str]:
        return [p.phrase for p in self.matched]


NO_MATCH = SafetyMatch()

_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'", "´": "'"})
_WORD_SEPARATORS = re.compile(r"[\s\-\u2010\u2011\u2012\u2013\u2014]+")


def normalise(text: str) -> str:
    """Compatibility forms folded (full-width letters, ligatures), apostrophes made plain."""
    return unicodedata.normalize("NFKC", text).translate(_APOSTROPHES)


def phrase_pattern(phrase: str) -> str | None:
    """The regular expression for one phrase (None for a phrase with no words)."""
    words = [w for w in _WORD_SEPARATORS.split(normalise(phrase).strip()) if w.strip("*")]
    if not words:
        return None
    parts = []
    for word in words:
        wildcard = word.endswith("*")
        core = word.rstrip("*")
        escaped = "'?".join(re.escape(piece) for piece in core.split("'"))
        parts.append(escaped + (r"\w*" if wildcard else ""))
    separator = r"[\s\-\u2010\u2011\u2012\u2013\u2014]+"
    return r"(?<!\w)" + separator.join(parts) + r"(?!\w)"


@functools.lru_cache(maxsize=32)
def _compiled(phrases: tuple[Phrase, ...]) -> tuple[tuple[Phrase, re.Pattern[str]], ...]:
    compiled = []
    for phrase in phrases:
        pattern = phrase_pattern(phrase.phrase)
        if pattern is not None:
            compiled.append((phrase, re.compile(pattern, re.IGNORECASE)))
    return tuple(compiled)


def find_matches(text: str, phrases: Iterable[Phrase]) -> SafetyMatch:
    """The phrases of ``phrases`` that occur in ``text`` (see the module's matching rules)."""
    if not text or not text.strip():
        return NO_MATCH
    normalised = normalise(text)
    found = tuple(p for p, regex in _compiled(tuple(phrases)) if regex.search(normalised))
    return SafetyMatch(found) if found else NO_MATCH


# --- The registered phrase source and alert handler -----------------------------------------

PhraseSource = Callable[[], Sequence[Phrase]]


class AlertHandler(Protocol):
    def __call__(
        self,
        match: SafetyMatch,
        *,
        author: Any,
        target_type: str,
        target_id: int | None,
        held: bool,
    ) -> None: ...


_phrase_source: PhraseSource | None = None
_alert_handler: AlertHandler | None = None


def register_phrase_source(source: PhraseSource) -> None:
    """Where the active phrases come from (the moderation app, from its ``ready()``)."""
    global _phrase_source
    _phrase_source = source


def register_alert_handler(handler: AlertHandler) -> None:
    """Who records alerts and tells the moderators (the moderation app)."""
    global _alert_handler
    _alert_handler = handler


def active_phrases() -> tuple[Phrase, ...]:
    return tuple(_phrase_source()) if _phrase_source is not None else ()


def check(text: str, *, kinds: Sequence[str] = KINDS) -> SafetyMatch:
    """Match ``text`` against the active phrases of ``kinds``."""
    phrases = [p for p in active_phrases() if p.kind in kinds]
    return find_matches(text, phrases) if phrases else NO_MATCH


def raise_alert(
    match: SafetyMatch,
    *,
    author,
    target_type: str,
    target_id: int | None = None,
    held: bool = False,
) -> None:
    """Tell the moderators that ``author``'s post, message or note matched (nothing if it did
    not). Call it inside the write's transaction, so the content and its alert go together."""
    if match and _alert_handler is not None:
        _alert_handler(
            match, author=author, target_type=target_type, target_id=target_id, held=held
        )


def hold_setting() -> str:
    """STEPDOWN_SAFETY_HOLD: "keep" (the default) or "hold"."""
    value = str(getattr(settings, "STEPDOWN_SAFETY_HOLD", KEEP) or KEEP).strip().lower()
    return HOLD if value == HOLD else KEEP


def holds_posts() -> bool:
    return hold_setting() == HOLD


# --- The panel the author sees ---------------------------------------------------------------


def show_panel(request, match: SafetyMatch, *, held: bool = False) -> None:
    """Show the author the safety panel on the next page they see (once)."""
    if not match:
        return
    request.session[PANEL_SESSION_KEY] = {
        "crisis": match.crisis,
        "rule": match.rule,
        "held": held,
    }


def take_panel(request) -> dict | None:
    """The panel waiting for this request's member, removed so it shows once."""
    session = getattr(request, "session", None)
    if session is None or PANEL_SESSION_KEY not in session:
        return None
    return session.pop(PANEL_SESSION_KEY, None)
