"""Writes for credentials: create/update/delete, OAuth2 consent and refresh, key rotation.

One module per concern; callers import from here (``from apps.credentials import services``):

- ``credentials``: the outbound client, sealing, create/update/delete, use audit, injectors;
- ``authorization``: the OAuth2 authorization-code consent (PKCE) and storing its tokens;
- ``refresh``: a usable OAuth access token, the single-flight refresh and the refresh beat;
- ``connection_test``: proving a credential works;
- ``rotation``: re-sealing every sealed column under the newest key.

Secrets live only in ``Credential.sealed``: a JSON object sealed with AES-256-GCM under the
process key ring, bound to the row (``credential.aad``). Nothing here logs, audits or raises a
secret value: audit data carries ids, names and the *names* of changed fields only.
"""

from apps.credentials.services.authorization import (
    STATE_SALT,
    oauth_complete,
    oauth_return_to,
    oauth_start,
)
from apps.credentials.services.connection_test import credential_test
from apps.credentials.services.credentials import (
    OAUTH_KINDS,
    credential_create,
    credential_delete,
    credential_mark_used,
    credential_update,
    injector_for,
    outbound_http,
    secret_open,
    secret_values,
)
from apps.credentials.services.refresh import (
    RefreshReport,
    credentials_refresh_expiring,
    oauth_secret_current,
    token_refresh,
)
from apps.credentials.services.rotation import RotationCount, credentials_rotate_key

__all__ = [
    "OAUTH_KINDS",
    "STATE_SALT",
    "RefreshReport",
    "RotationCount",
    "credential_create",
    "credential_delete",
    "credential_mark_used",
    "credential_test",
    "credential_update",
    "credentials_refresh_expiring",
    "credentials_rotate_key",
    "injector_for",
    "oauth_complete",
    "oauth_return_to",
    "oauth_secret_current",
    "oauth_start",
    "outbound_http",
    "secret_open",
    "secret_values",
    "token_refresh",
]
