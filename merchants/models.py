"""Models of the merchants chapter (built by its own issue)."""
