"""Writes of the orders chapter (ORD-1 … ORD-9, PAY-1 … PAY-8, REP-1, REP-2), one module per sub-domain."""
