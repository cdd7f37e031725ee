"""One or many: whether a request asks for one thing, and whether an operation acts on one.

"Get an issue event" wants ``issues/get-event``, "list events for an issue" wants
``issues/list-events``: the same words, which stemming ("events" -> "event") and sentence
embeddings both blur, so sibling operations of one API that differ only in this were a
common wrong pick on the labelled sets (benchmarks/RESULTS.md, "One or many"). The router's
``cardinality`` feature is the product of the two signs below: +1 when they agree, -1 when
they differ, 0 when either is unknown.

Read from words alone, on purpose: route maps carry no HTTP path, so the operation's side
comes from its operation id or name ("listRepoTeams", "getCampaignFoldersId").
"""

from __future__ import annotations

import re
from itertools import takewhile

__all__ = ["MANY", "ONE", "UNKNOWN", "query_cardinality", "route_cardinality"]

ONE, MANY, UNKNOWN = 1, -1, 0

_WORD = re.compile(r"[A-Za-z0-9]+")
_CAMEL = re.compile(r"([a-z0-9])([A-Z])")
_MANY_VERBS = frozenset(("list", "lists", "search", "searches", "find", "query", "browse"))
_MANY_WORDS = frozenset(("all", "multiple", "every", "many", "bulk", "batch"))
_ONE_WORDS = frozenset(
    ("a", "an", "single", "one", "specific", "given", "particular", "individual")
)
# Words that end the noun phrase after the verb: "get [issue events] for a repository".
_PHRASE_END_WORDS = "for of in by from with on to at within under using via and or that which as"
_PHRASE_END = frozenset(_PHRASE_END_WORDS.split())
_NOT_PLURAL = ("ss", "us", "is", "ous", "ics", "news", "status", "alias", "sms")
_VERSION = frozenset(("v1", "v2", "v3", "api"))
_BY_ID = re.compile(r"\bby (its )?id\b", re.IGNORECASE)
# A question names its noun before its verb: "which [pull requests] are open".
_QUESTION = frozenset(("what", "which", "who", "whose", "when", "where", "how"))
_AUXILIARY_WORDS = "s do does did is are was were have has can will should"
_AUXILIARY = frozenset(_AUXILIARY_WORDS.split())


def _words(text: str) -> list[str]:
    spaced = _CAMEL.sub(r"\1 \2", text.replace("_", " ").replace("-", " "))
    return [w.lower() for w in _WORD.findall(spaced)]


def _plural(word: str) -> bool:
    return len(word) > 3 and word.endswith("s") and not word.endswith(_NOT_PLURAL)


def _head_noun(words: list[str]) -> str | None:
    """The last word of the phrase after the verb: "get [code scanning alert] for ..."."""
    head = None
    for word in words[1:]:
        if word in _PHRASE_END:
            break
        head = word
    return head


def query_cardinality(text: str) -> int:
    """ONE for "get an issue event", MANY for "list issue events" and "which pull requests
    are open", UNKNOWN without a noun."""
    words = _words(text)
    if not words:
        return UNKNOWN
    if words[0] in _MANY_VERBS or any(w in _MANY_WORDS for w in words[:4]):
        return MANY
    if words[0] in _QUESTION:
        phrase = list(takewhile(lambda w: w not in _AUXILIARY, words[1:]))
        if not phrase:
            return UNKNOWN  # "what's the weather like", "who is on call"
        return MANY if _plural(phrase[-1]) else ONE
    if len(words) > 1 and words[1] in _ONE_WORDS:
        return ONE
    if _BY_ID.search(text):
        return ONE
    head = _head_noun(words)
    if head is None:
        return UNKNOWN
    return MANY if _plural(head) else ONE


def route_cardinality(operation: str) -> int:
    """The same read from an operation id or name: "issues/list-events" and
    "fetchHealthProfileQuestions" act on many, "issues/get-event" on one."""
    words = [w for w in _words(operation) if w not in _VERSION]
    if any(w in _MANY_VERBS or w in _MANY_WORDS for w in words):
        return MANY
    head = _head_noun(words)
    if head is None:
        return UNKNOWN
    return MANY if _plural(head) else ONE
