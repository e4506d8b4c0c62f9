"""The orders API, one module per resource; ``orders/urls.py`` imports the views from them."""
