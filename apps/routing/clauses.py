"""Leading clauses of a request: what it asks for, without the context said after it.

"open an issue in flowplane about the login bug" asks to open an issue; the project and the
topic are arguments. A sentence embedding of the whole request is pulled away from the
operation's utterances by those arguments (cosine 0.31 against "create an issue"), while its
leading clause is close (0.72). The router uses these clauses only as evidence that a
request is about the route it already chose (router.py, the relevance floor), never to
choose the route.
"""

from __future__ import annotations

__all__ = ["leading_clauses"]

# Words that start a phrase of context after the request proper: prepositions, and the
# conjunctions and relative words that start a second clause.
_BREAKS = frozenset(
    (
        "about",
        "after",
        "at",
        "because",
        "before",
        "by",
        "for",
        "from",
        "in",
        "into",
        "on",
        "onto",
        "regarding",
        "since",
        "so",
        "than",
        "that",
        "to",
        "under",
        "until",
        "when",
        "where",
        "which",
        "while",
        "who",
        "with",
        "within",
        "without",
        "and",
        "but",
        "or",
        "then",
    )
)
MAX_CLAUSES = 3


def leading_clauses(query: str, *, min_words: int = 2) -> list[str]:
    """The query cut before each break word that has ``min_words`` words before it.

    Shortest first, at most ``MAX_CLAUSES``; the whole query is not among them.
    """
    words = query.split()
    cuts = [
        i
        for i in range(min_words, len(words))
        if words[i].lower().strip(",;:") in _BREAKS or words[i - 1].endswith((",", ";", ":"))
    ]
    clauses = []
    for i in cuts[:MAX_CLAUSES]:
        clause = " ".join(words[:i]).rstrip(",;:")
        if clause not in clauses:
            clauses.append(clause)
    return clauses
