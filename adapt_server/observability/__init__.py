"""What an operator sees while the server works: Prometheus metrics (metrics.py) and OpenTelemetry traces
(tracing.py). Foundations (layer 1): any layer may record a metric or open a span; nothing here imports the
rest of the server."""
