"""Re-seal every stored secret under the newest key of CREDENTIAL_KEYS (idempotent)."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from apps.credentials.services import credentials_rotate_key


class Command(BaseCommand):
    help = (
        "Re-encrypt credentials, pending OAuth consents and trigger signing secrets under "
        "the first (newest) key of CREDENTIAL_KEYS. Put the new key first, keep the old ones "
        "after it until this has run everywhere, then drop them."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        counts = credentials_rotate_key()
        failed = 0
        for name, count in counts.items():
            failed += count.failed
            self.stdout.write(
                f"{name}: rotated={count.rotated} already_current={count.current} "
                f"failed={count.failed}"
            )
        if failed:
            raise CommandError(f"{failed} secret(s) could not be opened with any key of the ring.")
