"""Running the platform in production (OPS-4, OPS-5): health, metrics, JSON logs, backups, heartbeats."""
