"""Who uses a credential, without this app importing the apps above it.

Apps that store credential ids (workflows, in node configs) register a finder in their
``ready()``; the credential's usage endpoint lists what every finder returns, so a user sees
what breaks before deleting a credential.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class CredentialUse:
    """One object that names the credential: its id, name and status."""

    id: Any
    name: str
    status: str


UsageFinder = Callable[[Any, Any], Iterable[CredentialUse]]  # (workspace_id, credential_id)

_finders: dict[str, UsageFinder] = {}


def usage_finder_register(name: str, finder: UsageFinder) -> None:
    _finders[name] = finder


def credential_usage(*, workspace_id: Any, credential_id: Any) -> list[CredentialUse]:
    """Every registered finder's uses of the credential, in registration-name order."""
    return [use for name in sorted(_finders) for use in _finders[name](workspace_id, credential_id)]
