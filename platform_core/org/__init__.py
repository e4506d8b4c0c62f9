"""The platform's organisation: departments, their heads, the permission registry (used by every chapter)."""
