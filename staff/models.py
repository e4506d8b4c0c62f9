"""Models of the staff chapter (built by its own issue)."""
