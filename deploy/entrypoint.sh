#!/bin/sh
# Each container starts with an empty metrics folder: its processes' files from a previous
# life would be added to the new ones (PROMETHEUS_MULTIPROC_DIR, apps/observability).
set -eu
rm -rf "${PROMETHEUS_MULTIPROC_DIR:?}"
mkdir -p "$PROMETHEUS_MULTIPROC_DIR"
exec "$@"
