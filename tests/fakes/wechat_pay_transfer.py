"""The fake WeChat Pay merchant transfer (``simulation.fakes.wechat_pay_transfer``), re-exported for the tests."""

from simulation.fakes.wechat_pay_transfer import TRANSFER, TRANSFER_QUERY, WechatTransfer, WechatTransfers

__all__ = ["TRANSFER", "TRANSFER_QUERY", "WechatTransfer", "WechatTransfers"]
