"""Route maps and catalogue rows the routing tests share (hand-written, small)."""

from __future__ import annotations

from typing import Any

CALENDAR_MAP: dict[str, Any] = {
    "connector": "google-calendar",
    "name": "Google Calendar",
    "description": "Create, find and change events in Google Calendar.",
    "routes": [
        {
            "tool": "calendar.events.insert",
            "name": "create_event",
            "utterances": [
                "schedule a meeting",
                "add an event to my calendar",
                "book a call with someone next week",
                "create a calendar event",
            ],
            "modifierFunc": "extract_datetime",
        },
        {
            "tool": "calendar.events.list",
            "name": "list_events",
            "utterances": [
                "what is on my calendar today",
                "list my upcoming events",
                "show my agenda for tomorrow",
            ],
        },
        {
            "tool": "calendar.events.delete",
            "name": "delete_event",
            "utterances": [
                "cancel the meeting",
                "delete an event from my calendar",
                "remove the appointment",
            ],
        },
    ],
}
SLACK_MAP: dict[str, Any] = {
    "connector": "slack",
    "name": "Slack",
    "description": "Team messaging: channels and direct messages.",
    "routes": [
        {
            "tool": "chat.postMessage",
            "name": "post_message",
            "utterances": [
                "send a message to the team channel",
                "post in slack",
                "tell the channel that the build is green",
            ],
            "modifierFunc": "extract_mentions",
        },
        {
            "tool": "conversations.list",
            "name": "list_channels",
            "utterances": ["list slack channels", "which channels exist in our workspace"],
        },
    ],
}
GITHUB_MAP: dict[str, Any] = {
    "connector": "github",
    "name": "GitHub",
    "description": "Repositories, issues and pull requests on GitHub.",
    "routes": [
        {
            "tool": "issues/create",
            "name": "create_issue",
            "utterances": [
                "open an issue in the repository",
                "file a bug report on github",
                "create a new issue",
            ],
        },
        {
            "tool": "pulls/list",
            "name": "list_pull_requests",
            "utterances": ["list open pull requests", "show the PRs waiting for review"],
        },
    ],
}
ALL_MAPS = [CALENDAR_MAP, SLACK_MAP, GITHUB_MAP]

LABELLED = [
    {
        "query": "put a meeting with Ana on my calendar tomorrow",
        "connector": "google-calendar",
        "tool": "calendar.events.insert",
    },
    {
        "query": "what meetings do I have this afternoon",
        "connector": "google-calendar",
        "tool": "calendar.events.list",
    },
    {
        "query": "call off my 3pm appointment",
        "connector": "google-calendar",
        "tool": "calendar.events.delete",
    },
    {
        "query": "let the team know in slack that we shipped",
        "connector": "slack",
        "tool": "chat.postMessage",
    },
    {"query": "report a bug in our github repo", "connector": "github", "tool": "issues/create"},
    {"query": "which pull requests are open", "connector": "github", "tool": "pulls/list"},
    {"query": "what's the weather like on Mars", "connector": None, "tool": None},
]
