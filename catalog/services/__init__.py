"""Writes to the catalog (CAT-1 … CAT-9, USR-1), one sub-module per sub-domain; import the sub-module that defines a name."""
