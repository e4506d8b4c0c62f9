"""The merchant API (/api/v1/): one module per resource; ``merchants/urls.py`` mounts the views."""
