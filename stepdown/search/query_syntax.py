"""What members type into the search box, understood the same way on SQLite and PostgreSQL.

    sleep tinnitus          posts with both words (any form: "sleeping" finds "sleep")
    "cut by 10%"            the words in this order
    taper -alcohol          leave out posts that mention alcohol
    holding or hold         either side of "or"

Nothing typed is ever passed to the database as query syntax: each backend turns the parsed
terms into its own expression with every term quoted or bound as a parameter, so no input can
make the engine fail with a syntax error.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

MAX_QUERY_LENGTH = 200
MAX_TERMS = 12

_TOKEN = re.compile(r'(-?)"([^"]*)"?|(\S+)')
_WORD_CHARACTER = re.compile(r"\w")
_CONTROL = re.compile(r"[\x00-\x1f\x7f\ue000-\ue002]")


@dataclass(frozen=True)
class Term:
    """A word or a quoted phrase, as typed (quotes removed)."""

    text: str
    phrase: bool = False


@dataclass(frozen=True)
class Clause:
    """Posts with every ``include`` term and none of the ``exclude`` terms."""

    include: tuple[Term, ...]
    exclude: tuple[Term, ...] = ()


@dataclass(frozen=True)
class ParsedQuery:
    """Posts that satisfy any one of the clauses ("or" separates clauses)."""

    clauses: tuple[Clause, ...]

    @property
    def words(self) -> list[str]:
        return [term.text for clause in self.clauses for term in clause.include]


class QueryProblem(ValueError):
    """The member's query cannot be searched; ``message`` says what to change, kindly."""

    def __init__(self, message) -> None:
        super().__init__(str(message))
        self.message = message


def parse(text: str) -> ParsedQuery:
    """Parse the member's query; raise QueryProblem when there is nothing to look for."""
    text = _CONTROL.sub(" ", text or "")
    if len(text) > MAX_QUERY_LENGTH:
        raise QueryProblem(
            _("Please shorten your search to %(max)d characters.") % {"max": MAX_QUERY_LENGTH}
        )
    clauses: list[Clause] = []
    include: list[Term] = []
    exclude: list[Term] = []
    excluded_only = False
    count = 0
    for match in _TOKEN.finditer(text):
        negated, quoted, bare = match.groups()
        if bare is not None and bare.lower() == "or":
            excluded_only |= _close(clauses, include, exclude)
            include, exclude = [], []
            continue
        if bare is not None:
            negated = "-" if bare.startswith("-") else ""
            term = Term(bare[1:] if negated else bare)
        else:
            term = Term(" ".join(quoted.split()), phrase=True)
        if not _WORD_CHARACTER.search(term.text):
            continue  # punctuation alone finds nothing in either engine
        count += 1
        if count > MAX_TERMS:
            raise QueryProblem(
                _("Please use at most %(max)d words or phrases.") % {"max": MAX_TERMS}
            )
        (exclude if negated else include).append(term)
    excluded_only |= _close(clauses, include, exclude)
    if not clauses:
        if excluded_only:
            raise QueryProblem(_("Add a word to look for, not only words to leave out."))
        raise QueryProblem(_("Type a word or two to look for."))
    return ParsedQuery(tuple(clauses))


def _close(clauses: list[Clause], include: list[Term], exclude: list[Term]) -> bool:
    """Add the clause being read, if it looks for something; True if it only left things out."""
    if include:
        clauses.append(Clause(tuple(include), tuple(exclude)))
        return False
    return bool(exclude)


def fts5_expression(query: ParsedQuery) -> str:
    """The query as an SQLite FTS5 MATCH expression: every term a quoted string (quotes inside
    doubled), joined only by AND, NOT, OR and parentheses, so no input is FTS5 syntax."""

    def quoted(term: Term) -> str:
        return '"' + term.text.replace('"', '""') + '"'

    parts = []
    for clause in query.clauses:
        expression = "(" + " AND ".join(quoted(term) for term in clause.include) + ")"
        for term in clause.exclude:
            expression = f"({expression} NOT {quoted(term)})"
        parts.append(expression)
    return " OR ".join(parts)


def postgresql_tsquery(query: ParsedQuery, config: str) -> tuple[str, list[str]]:
    """The query as a PostgreSQL tsquery expression with each term a bound parameter:
    ``phraseto_tsquery`` per term (a phrase keeps its word order), combined with && !! ||."""
    term_sql = f"phraseto_tsquery('{config}'::regconfig, %s)"
    parts: list[str] = []
    params: list[str] = []
    for clause in query.clauses:
        pieces = [term_sql] * len(clause.include) + [f"!!{term_sql}"] * len(clause.exclude)
        parts.append("(" + " && ".join(pieces) + ")")
        params += [term.text for term in clause.include]
        params += [term.text for term in clause.exclude]
    return "(" + " || ".join(parts) + ")", params
