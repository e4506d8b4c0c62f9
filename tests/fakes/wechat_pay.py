"""The fake WeChat Pay API v3 (``simulation.fakes.wechat_pay``), re-exported for the tests."""

from simulation.fakes.wechat_pay import (
    CERTIFICATES,
    REFUND,
    REFUND_QUERY,
    FakeWechatPay,
    start_fake_wechat_pay,
)

__all__ = ["CERTIFICATES", "REFUND", "REFUND_QUERY", "FakeWechatPay", "start_fake_wechat_pay"]
