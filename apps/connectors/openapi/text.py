"""Text helpers: markdown/HTML to plain text, first sentences, and routing utterances."""

from __future__ import annotations

import html
import re

_CODE_BLOCK = re.compile(r"```.*?(```|$)", re.S)
_HTML_COMMENT = re.compile(r"<!--.*?-->", re.S)
_HTML_BLOCK = re.compile(r"<(script|style)\b.*?</\1\s*>", re.S | re.I)
_BR = re.compile(r"<\s*(br|/p|/li|/div|/h\d)\s*/?\s*>", re.I)
_TAG = re.compile(r"</?[a-zA-Z][^<>]*>")
_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
_LINK = re.compile(r"\[([^\]]+)\]\((?:[^()]|\([^)]*\))*\)")
_REF_LINK = re.compile(r"\[([^\]]+)\]\[[^\]]*\]")
_LINK_DEF = re.compile(r"^\s*\[[^\]]+\]:\s*\S+.*$", re.M)
_AUTOLINK = re.compile(r"<(https?://[^>]+)>")
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s*", re.M)
_BULLET = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+", re.M)
_QUOTE = re.compile(r"^\s*>\s?", re.M)
_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{3,}.*$", re.M)
_EMPHASIS = re.compile(r"(\*\*|__|\*|~~)(?=\S)(.+?)(?<=\S)\1")
_UNDERSCORE_EM = re.compile(r"(?<![\w])_(?=\S)(.+?)(?<=\S)_(?![\w])")
_CODE = re.compile(r"`+([^`]*)`+")
_SPACE = re.compile(r"[ \t\u00a0]+")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'(])")
_ABBREVIATIONS = ("e.g.", "i.e.", "etc.", "vs.", "approx.", "Inc.", "Ltd.", "No.")


def clean_markdown(text: str | None) -> str:
    """Plain text from CommonMark/HTML: links keep their text, code keeps its content."""
    if not text:
        return ""
    text = str(text).replace("\r\n", "\n")
    text = _CODE_BLOCK.sub(" ", text)
    text = _HTML_COMMENT.sub(" ", text)
    text = _HTML_BLOCK.sub(" ", text)
    text = _BR.sub("\n", text)
    text = _TAG.sub("", text)
    text = _IMAGE.sub(r"\1", text)
    text = _LINK.sub(r"\1", text)
    text = _REF_LINK.sub(r"\1", text)
    text = _LINK_DEF.sub("", text)
    text = _AUTOLINK.sub(r"\1", text)
    text = _HEADING.sub("", text)
    text = _TABLE_RULE.sub("", text)
    text = _QUOTE.sub("", text)
    text = _BULLET.sub("", text)
    text = _CODE.sub(r"\1", text)
    for _ in range(2):  # nested emphasis such as ***bold italic***
        text = _EMPHASIS.sub(r"\2", text)
    text = _UNDERSCORE_EM.sub(r"\1", text)
    text = text.replace("|", " ")
    text = html.unescape(text)
    lines = [_SPACE.sub(" ", line).strip() for line in text.split("\n")]
    paragraphs: list[str] = []
    current: list[str] = []
    for line in lines:
        if line:
            current.append(line)
        elif current:
            paragraphs.append(" ".join(current))
            current = []
    if current:
        paragraphs.append(" ".join(current))
    return "\n\n".join(paragraphs).strip()


def truncate(text: str, limit: int) -> str:
    """Cut at a sentence or word boundary at most ``limit`` characters long."""
    if len(text) <= limit:
        return text
    cut = text[:limit]
    for mark in (". ", "\n"):
        end = cut.rfind(mark)
        if end >= limit // 2:
            return cut[: end + 1].strip()
    space = cut.rfind(" ")
    return (cut[:space] if space > limit // 2 else cut).rstrip(" ,;:") + "…"


def first_sentence(text: str, limit: int = 160) -> str:
    """The first sentence of plain text (abbreviations such as "e.g." do not end it)."""
    text = text.strip().split("\n", 1)[0].strip()
    if not text:
        return ""
    protected = text
    for i, abbr in enumerate(_ABBREVIATIONS):
        protected = protected.replace(abbr, f"\x00{i}\x00")
    sentence = _SENTENCE_END.split(protected, maxsplit=1)[0]
    for i, abbr in enumerate(_ABBREVIATIONS):
        sentence = sentence.replace(f"\x00{i}\x00", abbr)
    return truncate(sentence.strip(), limit)


_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_NON_WORD = re.compile(r"[^A-Za-z0-9]+")


def humanize_identifier(identifier: str) -> str:
    """``listRepoIssues`` / ``repos/list-for-org`` / ``gmail.users.messages.list`` to words."""
    words = _NON_WORD.sub(" ", _CAMEL.sub(" ", identifier)).split()
    return " ".join(word.lower() if not word.isupper() or len(word) > 4 else word for word in words)


# Third-person verbs that open API summaries ("Lists the ...") and their imperative form.
_VERBS = {
    "adds": "add",
    "allows": "allow",
    "appends": "append",
    "applies": "apply",
    "approves": "approve",
    "archives": "archive",
    "assigns": "assign",
    "attaches": "attach",
    "cancels": "cancel",
    "changes": "change",
    "checks": "check",
    "clears": "clear",
    "closes": "close",
    "completes": "complete",
    "confirms": "confirm",
    "copies": "copy",
    "counts": "count",
    "creates": "create",
    "deletes": "delete",
    "describes": "describe",
    "disables": "disable",
    "downloads": "download",
    "edits": "edit",
    "enables": "enable",
    "exports": "export",
    "fetches": "fetch",
    "finds": "find",
    "generates": "generate",
    "gets": "get",
    "imports": "import",
    "inserts": "insert",
    "invites": "invite",
    "joins": "join",
    "leaves": "leave",
    "lists": "list",
    "locks": "lock",
    "marks": "mark",
    "modifies": "modify",
    "moves": "move",
    "opens": "open",
    "patches": "patch",
    "posts": "post",
    "publishes": "publish",
    "queries": "query",
    "reads": "read",
    "registers": "register",
    "removes": "remove",
    "renames": "rename",
    "replaces": "replace",
    "resets": "reset",
    "restores": "restore",
    "retrieves": "retrieve",
    "returns": "return",
    "revokes": "revoke",
    "runs": "run",
    "saves": "save",
    "schedules": "schedule",
    "searches": "search",
    "sends": "send",
    "sets": "set",
    "shares": "share",
    "starts": "start",
    "stops": "stop",
    "submits": "submit",
    "subscribes": "subscribe",
    "syncs": "sync",
    "trashes": "trash",
    "triggers": "trigger",
    "unarchives": "unarchive",
    "unlocks": "unlock",
    "unsubscribes": "unsubscribe",
    "untrashes": "untrash",
    "updates": "update",
    "uploads": "upload",
    "validates": "validate",
    "verifies": "verify",
    "watches": "watch",
    "accepts": "accept",
    "analyzes": "analyze",
    "analyses": "analyse",
    "authorizes": "authorize",
    "blocks": "block",
    "builds": "build",
    "calculates": "calculate",
    "captures": "capture",
    "classifies": "classify",
    "converts": "convert",
    "declines": "decline",
    "deploys": "deploy",
    "detects": "detect",
    "executes": "execute",
    "extracts": "extract",
    "follows": "follow",
    "invokes": "invoke",
    "likes": "like",
    "links": "link",
    "looks": "look",
    "merges": "merge",
    "mutes": "mute",
    "pauses": "pause",
    "pins": "pin",
    "previews": "preview",
    "provides": "provide",
    "reboots": "reboot",
    "refunds": "refund",
    "rejects": "reject",
    "renders": "render",
    "reports": "report",
    "requests": "request",
    "resolves": "resolve",
    "restarts": "restart",
    "resumes": "resume",
    "scales": "scale",
    "signs": "sign",
    "summarizes": "summarize",
    "transcribes": "transcribe",
    "transfers": "transfer",
    "transforms": "transform",
    "translates": "translate",
    "unfollows": "unfollow",
    "unlinks": "unlink",
    "unpins": "unpin",
    "uses": "use",
}


def imperative(sentence: str) -> str:
    """ "Lists the messages." -> "list the messages"; other sentences lose only the full stop."""
    sentence = sentence.strip().rstrip(".").strip()
    if not sentence:
        return ""
    first, _, rest = sentence.partition(" ")
    verb = _VERBS.get(first.lower())
    if verb:
        return f"{verb} {rest}".strip()
    if first[:1].isupper() and not first[1:2].isupper():
        return first.lower() + (f" {rest}" if rest else "")
    return sentence


_NOT_AN_ACTION = re.compile(
    r"^(to|if|when|note|see|for more|deprecated|warning|important|requires|you|this (method|"
    r"endpoint) (is|has been) deprecated)\b",
    re.I,
)


def utterances_for(
    *, summary: str, description: str, key: str, limit: int = 4, max_length: int = 120
) -> list[str]:
    """A few short phrasings of what an operation does, for the semantic router."""
    candidates: list[str] = []
    summary_text = first_sentence(clean_markdown(summary), max_length)
    description_text = first_sentence(clean_markdown(description), max_length)
    if _NOT_AN_ACTION.match(description_text):
        description_text = ""  # "To see the values, you need..." does not say what it does
    for text in (summary_text, description_text):
        if text:
            candidates.append(imperative(text))
    if key and not re.fullmatch(r"(get|post|put|patch|delete|head)_.*", key):
        candidates.append(humanize_identifier(key))
    seen: set[str] = set()
    result: list[str] = []
    for candidate in candidates:
        candidate = candidate.strip()
        norm = re.sub(r"\W+", " ", candidate.lower()).strip()
        if len(norm) < 3 or len(candidate) > max_length or norm in seen:
            continue
        seen.add(norm)
        result.append(candidate)
        if len(result) == limit:
            break
    return result
