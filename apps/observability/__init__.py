"""Operating the platform: Prometheus metrics, request/execution ids on log lines."""
