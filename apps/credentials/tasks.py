"""Celery entrypoints for credentials: thin, each calls one service; safe to run twice."""

from celery import shared_task


@shared_task(
    name="credentials.refresh_expiring", ignore_result=True, soft_time_limit=240, time_limit=280
)
def refresh_expiring_task() -> dict:
    """Refresh OAuth access tokens before they expire (beat runs this every few minutes)."""
    from apps.credentials.services import credentials_refresh_expiring

    report = credentials_refresh_expiring()
    return {
        "refreshed": report.refreshed,
        "failed": report.failed,
        "needs_reauth": report.needs_reauth,
    }
