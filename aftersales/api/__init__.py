"""The after-sales API, one module per resource (urls.py imports the views from each)."""
