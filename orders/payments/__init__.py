"""PAY-3: payment providers behind one gateway interface (``base.PaymentProvider``)."""

from orders.payments.alipay import AlipayProvider
from orders.payments.base import CallbackRejected, PaymentProvider, RefundResult, VerifiedNotification
from orders.payments.sandbox import SandboxProvider
from orders.payments.wechat_pay import WechatPayProvider

PROVIDERS: dict[str, type[PaymentProvider]] = {
    SandboxProvider.name: SandboxProvider,
    AlipayProvider.name: AlipayProvider,
    WechatPayProvider.name: WechatPayProvider,
}


def provider_get(name: str) -> PaymentProvider:
    """The provider called ``name``; ``KeyError`` if there is none."""
    return PROVIDERS[name]()


__all__ = [
    "PROVIDERS",
    "CallbackRejected",
    "PaymentProvider",
    "RefundResult",
    "VerifiedNotification",
    "provider_get",
]
