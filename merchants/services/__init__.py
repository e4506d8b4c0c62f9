"""Writes for merchants, one module per sub-domain; import the sub-module that defines a name."""
