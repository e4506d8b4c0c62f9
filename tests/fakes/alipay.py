"""The fake Alipay gateway (``simulation.fakes.alipay``), re-exported for the tests."""

from simulation.fakes.alipay import AlipayTrade, FakeAlipay, start_fake_alipay

__all__ = ["AlipayTrade", "FakeAlipay", "start_fake_alipay"]
