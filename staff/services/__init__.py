"""Writes of the staff chapter (STF-1 … STF-8, USR-2 … USR-4), one sub-module per sub-domain; import the sub-module that defines a name."""
