"""Writes of the after-sales chapter: requests (AFS-1 … AFS-6), complaints (CMP), messages (MSG)."""
