"""Models of the orders chapter (built by its own issue)."""
