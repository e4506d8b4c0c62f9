"""The fake Alipay transfers (``simulation.fakes.alipay_transfer``), re-exported for the tests."""

from simulation.fakes.alipay_transfer import TRANSFER, TRANSFER_QUERY, AlipayTransfer, AlipayTransfers

__all__ = ["TRANSFER", "TRANSFER_QUERY", "AlipayTransfer", "AlipayTransfers"]
