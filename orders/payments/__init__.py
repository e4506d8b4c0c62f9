"""PAY-3: payment providers behind one gateway interface (``base.PaymentProvider``).

``PROVIDERS`` is every provider the code has; a deployment enables some of them in
``settings.ORDERS_PAYMENT_PROVIDERS`` (decision 019: production never enables the sandbox). Only an enabled
provider is offered, started, called back or refunded through: ``provider_get`` knows no other.
"""

from django.conf import settings

from orders.payments.alipay import AlipayProvider
from orders.payments.base import CallbackRejected, PaymentProvider, RefundResult, VerifiedNotification
from orders.payments.sandbox import SandboxProvider
from orders.payments.wechat_pay import WechatPayProvider

PROVIDERS: dict[str, type[PaymentProvider]] = {
    SandboxProvider.name: SandboxProvider,
    AlipayProvider.name: AlipayProvider,
    WechatPayProvider.name: WechatPayProvider,
}


def providers_enabled() -> list[str]:
    """PAY-3: the names of the providers this deployment enables, in the configured order."""
    return [name for name in settings.ORDERS_PAYMENT_PROVIDERS if name in PROVIDERS]


def provider_get(name: str) -> PaymentProvider:
    """The enabled provider called ``name``; ``KeyError`` if there is none (or it is not enabled)."""
    if name not in providers_enabled():
        raise KeyError(name)
    return PROVIDERS[name]()


__all__ = [
    "PROVIDERS",
    "CallbackRejected",
    "PaymentProvider",
    "RefundResult",
    "VerifiedNotification",
    "provider_get",
    "providers_enabled",
]
