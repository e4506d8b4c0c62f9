"""Payment providers, payout rails and carriers (PAY-3, PAY-4, PAY-5, PAY-8, ORD-5): which are enabled, their
keys, gateways and retry policy, and the timed jobs that chase them. Part of the settings package
(``platform_core/settings/__init__.py`` imports it and adds ``_BEAT_SCHEDULE`` to Celery beat's)."""

from datetime import timedelta
from decimal import Decimal

from celery.schedules import crontab

from platform_core.settings._env import IS_PRODUCTION, env

# Decision 019: outside production the sandbox keys default to the published development values
if IS_PRODUCTION:
    _dev_secrets: dict[str, str] = {}
else:
    from platform_core.settings._dev_defaults import DEV_SECRETS as _dev_secrets

# --- payment providers (PAY-3) ------------------------------------------------------------------------
# Verification keys of the real gateways' notifications; empty = that provider's callbacks are refused.
ORDERS_ALIPAY_APP_ID = env.str("ORDERS_ALIPAY_APP_ID", default="")
ORDERS_ALIPAY_PUBLIC_KEY = env.str("ORDERS_ALIPAY_PUBLIC_KEY", default="")  # Alipay's RSA public key (PEM)
# Alipay's certificate mode (公钥证书模式) instead of the public key: the three certificate files the open
# platform issues, each the PEM text or the file's path (orders/payments/alipay_certs.py, docs/payments.md)
ORDERS_ALIPAY_APP_CERT = env.str("ORDERS_ALIPAY_APP_CERT", default="")  # appCertPublicKey_<app_id>.crt
ORDERS_ALIPAY_PUBLIC_CERT = env.str("ORDERS_ALIPAY_PUBLIC_CERT", default="")  # alipayCertPublicKey_RSA2.crt
ORDERS_ALIPAY_ROOT_CERT = env.str("ORDERS_ALIPAY_ROOT_CERT", default="")  # alipayRootCert.crt
ORDERS_WECHAT_PAY_MCH_ID = env.str("ORDERS_WECHAT_PAY_MCH_ID", default="")
ORDERS_WECHAT_PAY_PLATFORM_PUBLIC_KEY = env.str("ORDERS_WECHAT_PAY_PLATFORM_PUBLIC_KEY", default="")  # PEM
ORDERS_WECHAT_PAY_PLATFORM_SERIAL = env.str("ORDERS_WECHAT_PAY_PLATFORM_SERIAL", default="")
ORDERS_WECHAT_PAY_APIV3_KEY = env.str("ORDERS_WECHAT_PAY_APIV3_KEY", default="")  # 32 bytes
# a WeChat Pay notification whose timestamp is further off than this is refused (replays)
ORDERS_WECHAT_PAY_NOTIFICATION_MAX_AGE = timedelta(
    minutes=env.int("ORDERS_WECHAT_PAY_NOTIFICATION_MAX_AGE_MINUTES", default=5)
)
# PAY-3 (decision 029): calling the gateways. Each provider's gateway URL (the real one by default; tests
# and the simulator point it at local fakes), our signing key and the notify URL the gateway calls back.
ORDERS_ALIPAY_GATEWAY = env.str("ORDERS_ALIPAY_GATEWAY", default="https://openapi.alipay.com/gateway.do")
ORDERS_ALIPAY_APP_PRIVATE_KEY = env.str("ORDERS_ALIPAY_APP_PRIVATE_KEY", default="")  # our RSA key (PEM)
ORDERS_ALIPAY_NOTIFY_URL = env.str("ORDERS_ALIPAY_NOTIFY_URL", default="")  # https://…/callbacks/alipay/
ORDERS_WECHAT_PAY_GATEWAY = env.str("ORDERS_WECHAT_PAY_GATEWAY", default="https://api.mch.weixin.qq.com")
ORDERS_WECHAT_PAY_APPID = env.str("ORDERS_WECHAT_PAY_APPID", default="")
ORDERS_WECHAT_PAY_MCH_PRIVATE_KEY = env.str("ORDERS_WECHAT_PAY_MCH_PRIVATE_KEY", default="")  # PEM
ORDERS_WECHAT_PAY_MCH_SERIAL = env.str("ORDERS_WECHAT_PAY_MCH_SERIAL", default="")  # our API certificate's
ORDERS_WECHAT_PAY_NOTIFY_URL = env.str("ORDERS_WECHAT_PAY_NOTIFY_URL", default="")
# seconds one gateway call may take before its answer counts as lost (the call is then queried, not re-sent)
ORDERS_PAYMENT_HTTP_TIMEOUT_SECONDS = env.float("ORDERS_PAYMENT_HTTP_TIMEOUT_SECONDS", default=10.0)
# PAY-5: a refund the provider did not confirm is retried (query first) after base * 2^attempt seconds,
# capped; after ORDERS_REFUND_MAX_ATTEMPTS it waits for finance (still queried by the sweep, never re-sent)
ORDERS_REFUND_RETRY_BASE_SECONDS = env.int("ORDERS_REFUND_RETRY_BASE_SECONDS", default=30)
ORDERS_REFUND_RETRY_MAX_SECONDS = env.int("ORDERS_REFUND_RETRY_MAX_SECONDS", default=3600)
ORDERS_REFUND_MAX_ATTEMPTS = env.int("ORDERS_REFUND_MAX_ATTEMPTS", default=12)
# WeChat Pay platform certificates are downloaded (and rotated) this often
ORDERS_WECHAT_PAY_CERTIFICATES_REFRESH_HOURS = env.int(
    "ORDERS_WECHAT_PAY_CERTIFICATES_REFRESH_HOURS", default=12
)
# PAY-8 (decision 038): the service fee rate each provider's contract sets (a fraction: 0.006 = 0.6%); the
# daily statements' fees are checked against it (a payment's fee, and the fee a refund returns, is the
# amount times the rate rounded half up to the fen)
ORDERS_ALIPAY_FEE_RATE = Decimal(env.str("ORDERS_ALIPAY_FEE_RATE", default="0.006"))
ORDERS_WECHAT_PAY_FEE_RATE = Decimal(env.str("ORDERS_WECHAT_PAY_FEE_RATE", default="0.006"))
# PAY-8: a statement that cannot be had (the gateway down, the bill not published yet) is downloaded again
# after base * 2^(failures - 1) seconds, capped, until the cut-off (hours after the end of its day, Beijing
# time); past it finance is alarmed
ORDERS_STATEMENT_RETRY_BASE_SECONDS = env.int("ORDERS_STATEMENT_RETRY_BASE_SECONDS", default=900)
ORDERS_STATEMENT_RETRY_MAX_SECONDS = env.int("ORDERS_STATEMENT_RETRY_MAX_SECONDS", default=3 * 3600)
ORDERS_STATEMENT_CUTOFF_HOURS = env.int("ORDERS_STATEMENT_CUTOFF_HOURS", default=36)
_BEAT_SCHEDULE: dict[str, dict] = {
    # PAY-8: statements that could not be had are downloaded again when their back-off is due
    "orders.statements-sweep": {"task": "orders.statements_sweep", "schedule": timedelta(minutes=15)},
    # PAY-8: the providers' statements of yesterday, once they publish them (Alipay from 09:00, WeChat
    # Pay from 10:00 Beijing time), reconciled line by line, and the segregated funds checked
    "orders.reconcile-statements": {
        "task": "orders.reconcile_statements",
        "schedule": crontab(hour=10, minute=30),
    },
    # PAY-5, ORD-4: refunds the provider has not confirmed are (re)sent or queried, with back-off
    "orders.refunds-sweep": {"task": "orders.refunds_sweep", "schedule": timedelta(minutes=1)},
    "orders.wechat-pay-certificates": {
        "task": "orders.wechat_pay_certificates_refresh",
        "schedule": timedelta(hours=ORDERS_WECHAT_PAY_CERTIFICATES_REFRESH_HOURS),
    },
    # PAY-3 (decision 037): unpaid gateway trades whose notification never came are queried
    "orders.payments-sweep": {"task": "orders.payments_sweep", "schedule": timedelta(minutes=3)},
    # PAY-4 (decision 037): transfers the gateway has not confirmed are (re)sent or queried
    "orders.payouts-sweep": {"task": "orders.payouts_sweep", "schedule": timedelta(minutes=5)},
}
# PAY-3 (decision 037): an unpaid gateway trade is queried once it is this old (its notification is late)
ORDERS_PAYMENT_QUERY_AFTER_SECONDS = env.int("ORDERS_PAYMENT_QUERY_AFTER_SECONDS", default=120)
# PAY-4 (decision 037): a new or changed payout account receives payouts only after this many hours
ORDERS_PAYOUT_ACCOUNT_COOLING_OFF_HOURS = env.int("ORDERS_PAYOUT_ACCOUNT_COOLING_OFF_HOURS", default=24)
# PAY-3, ORD-5, PAY-4 (decision 019): the providers and carriers this deployment enables. The sandbox ones
# exist for development and tests only: production's defaults leave them out, and the deploy check
# (platform.E101) refuses to start a production process that enables one. A provider not enabled is not
# routed (404), not offered in the API schema's enums, and its callbacks are refused.
ORDERS_PAYMENT_PROVIDERS = env.list(
    "ORDERS_PAYMENT_PROVIDERS",
    default=["alipay", "wechat_pay"] if IS_PRODUCTION else ["sandbox", "alipay", "wechat_pay"],
)
ORDERS_LOGISTICS_CARRIERS = env.list(
    "ORDERS_LOGISTICS_CARRIERS", default=[] if IS_PRODUCTION else ["sandbox"]
)
# PAY-4: the payout provider: ``manual`` (finance transfers by bank and reconciles), ``sandbox`` (dev), or
# transfer rails, comma-separated: ``alipay`` (alipay.fund.trans.uni.transfer to bank and Alipay accounts,
# decision 037), ``wechat_pay`` (WeChat Pay's merchant transfer to WeChat accounts, decision 045) — each
# account is paid through the rail of its kind; the rails also transfer to their payers what a trade can
# no longer refund
ORDERS_PAYOUT_PROVIDER = env.str("ORDERS_PAYOUT_PROVIDER", default="manual" if IS_PRODUCTION else "sandbox")
# decision 045: the WeChat Pay transfer scenes (商家转账 → 转账场景) the merchant platform granted: payouts
# to merchants (1005 佣金报酬) and what a trade can no longer refund, to its payer (1000 现金营销)
ORDERS_WECHAT_PAY_TRANSFER_SCENE_PAYOUT = env.str("ORDERS_WECHAT_PAY_TRANSFER_SCENE_PAYOUT", default="1005")
ORDERS_WECHAT_PAY_TRANSFER_SCENE_REFUND = env.str("ORDERS_WECHAT_PAY_TRANSFER_SCENE_REFUND", default="1000")
# the sandbox provider's HMAC-SHA256 signing key and how it delivers callbacks: ``auto`` (queue after the
# cashier pays), ``duplicates`` (extra copies), ``delay_seconds``, ``fail`` (the payment fails)
ORDERS_PAYMENT_SANDBOX_KEY = env.str(
    "ORDERS_PAYMENT_SANDBOX_KEY", default=_dev_secrets.get("ORDERS_PAYMENT_SANDBOX_KEY", "")
)
ORDERS_PAYMENT_SANDBOX = {"auto": True, "duplicates": 0, "delay_seconds": 0, "fail": False}
# ORD-5: the sandbox carrier's webhook signing key
ORDERS_LOGISTICS_SANDBOX_KEY = env.str(
    "ORDERS_LOGISTICS_SANDBOX_KEY", default=_dev_secrets.get("ORDERS_LOGISTICS_SANDBOX_KEY", "")
)
# ORD-5, ORD-10 (decision 024): the 快递100 tracking aggregator, when ORDERS_LOGISTICS_CARRIERS enables
# ``kuaidi100``. KEY is the authorisation key (授权码) of the subscription, SALT the secret 快递100 signs its
# pushes with (MD5(param + salt)); both are secrets, required in production when enabled (platform.E102).
# CALLBACK_URL is where 快递100 pushes: this deployment's /api/v1/logistics/callbacks/kuaidi100/.
ORDERS_KUAIDI100_KEY = env.str("ORDERS_KUAIDI100_KEY", default="")
ORDERS_KUAIDI100_SALT = env.str("ORDERS_KUAIDI100_SALT", default="")
ORDERS_KUAIDI100_CALLBACK_URL = env.str("ORDERS_KUAIDI100_CALLBACK_URL", default="")
ORDERS_KUAIDI100_GATEWAY_URL = env.str(
    "ORDERS_KUAIDI100_GATEWAY_URL", default="https://poll.kuaidi100.com/poll"
)
ORDERS_KUAIDI100_TIMEOUT = env.float("ORDERS_KUAIDI100_TIMEOUT_SECONDS", default=10.0)  # seconds per call
# subscription attempts (1 min, 2, 4, … apart, at most an hour) before staff entry takes over
ORDERS_TRACKING_SUBSCRIBE_ATTEMPTS = env.int("ORDERS_TRACKING_SUBSCRIBE_ATTEMPTS", default=8)
