"""Reads about merchants, one module per topic; import the sub-module that defines a name."""
