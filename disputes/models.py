"""Models of the disputes chapter (built by its own issue)."""
