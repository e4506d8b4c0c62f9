"""Models of the aftersales chapter (built by its own issue)."""
