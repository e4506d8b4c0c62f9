"""Writes of the after-sales chapter: requests (AFS-1 … AFS-6), complaints (CMP-1 … CMP-3), messages (MSG-1 … MSG-3)."""
