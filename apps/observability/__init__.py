"""Operating the platform: Prometheus metrics, ids on log lines, Sentry, OpenTelemetry traces."""
