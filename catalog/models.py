"""Models of the catalog chapter (built by its own issue)."""
