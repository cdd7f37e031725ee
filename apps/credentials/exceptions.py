"""Credential errors. API-facing ones are ApplicationErrors; run-time ones are BlockErrors so a
block that lets them through fails its step with a clear code instead of crashing the run."""

from apps.blocks.sdk import BlockError
from apps.core.exceptions import ApplicationError, Conflict, InvalidInput, NotFound


class CredentialNotFound(NotFound):
    pass


class CredentialInvalid(InvalidInput):
    pass


class CredentialNameTaken(Conflict):
    pass


class OAuthNotApplicable(InvalidInput):
    pass


class OAuthCallbackFailed(ApplicationError):
    type = "oauth_failed"
    status_code = 400


class CredentialUnavailable(BlockError):
    """A block asked for a credential it may not use (unknown, or another workspace's)."""

    def __init__(self, message: str = "The credential does not exist in this workspace.") -> None:
        super().__init__(message, retryable=False, code="credential_not_found")


class CredentialNeedsReauth(BlockError):
    def __init__(self, message: str) -> None:
        super().__init__(message, retryable=False, code="credential_needs_reauth")


class CredentialRefreshFailed(BlockError):
    """The token endpoint could not be reached or failed; worth retrying later."""

    def __init__(self, message: str) -> None:
        super().__init__(message, retryable=True, code="credential_refresh_failed")


class CredentialRequired(BlockError):
    """A connector that authenticates has no credential to use: the user must pick or connect
    one. Not retryable: nothing changes until someone does."""

    def __init__(self, message: str) -> None:
        super().__init__(message, retryable=False, code="credential_required")
