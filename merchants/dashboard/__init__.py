"""The merchant dashboard (/merchant/): one module per page group; shared page plumbing in ``base``."""
