"""The catalog REST API, one module per resource (urls.py imports the views from each)."""
