"""Signals through which apps above workflows follow its changes: workflows never imports them."""

from django.dispatch import Signal

# Sent inside the transaction that changed which version of a workflow is live (publish,
# unpublish, rollback), with ``workflow=``; a receiver's writes commit or roll back with it.
live_version_changed = Signal()
