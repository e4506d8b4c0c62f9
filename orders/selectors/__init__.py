"""Reads of the orders chapter, each scoped to who is asking (SEC-1), one module per topic."""
