"""Platform rule defaults: the rule book's numbers (durations, amounts, thresholds), each declared once
from the environment with its default and unit; per-category and per-merchant numbers stay in their
policy rows. Part of the settings package (``platform_core/settings/__init__.py`` imports it)."""

from datetime import timedelta
from decimal import Decimal

from platform_core.settings._env import IS_PRODUCTION, env

PLATFORM_CURRENCY = "CNY"
PLATFORM_MONEY_PLACES = Decimal("0.01")

# OPS-3: the SMS gateway sits behind an interface; the sandbox records messages instead of sending them
# and exists for development only (production refuses it, platform.E101): production sends through
# Aliyun SMS (decision 024), or, explicitly, NoSmsBackend (SMS rows fail at once as undeliverable).
NOTIFICATIONS_SMS_BACKEND = env.str(
    "NOTIFICATIONS_SMS_BACKEND",
    default="platform_core.notifications.aliyun_sms.AliyunSmsBackend"
    if IS_PRODUCTION
    else "platform_core.notifications.sms.SandboxSmsBackend",
)
# Aliyun SMS (dysmsapi SendSms, RPC signature HMAC-SHA1): the RAM user's AccessKey pair (the secret is
# required in production when Aliyun is the backend, platform.E102), the approved signature (签名) and
# templates: NOTIFICATIONS_ALIYUN_SMS_TEMPLATES maps a notification event to its template code
# ("event=SMS_123,event2=SMS_456"); other events use NOTIFICATIONS_ALIYUN_SMS_TEMPLATE. Every template
# takes the parameters ${title} and ${body}.
NOTIFICATIONS_ALIYUN_SMS_ACCESS_KEY_ID = env.str("NOTIFICATIONS_ALIYUN_SMS_ACCESS_KEY_ID", default="")
NOTIFICATIONS_ALIYUN_SMS_ACCESS_KEY_SECRET = env.str("NOTIFICATIONS_ALIYUN_SMS_ACCESS_KEY_SECRET", default="")
NOTIFICATIONS_ALIYUN_SMS_SIGN_NAME = env.str("NOTIFICATIONS_ALIYUN_SMS_SIGN_NAME", default="")
NOTIFICATIONS_ALIYUN_SMS_TEMPLATE = env.str("NOTIFICATIONS_ALIYUN_SMS_TEMPLATE", default="")
NOTIFICATIONS_ALIYUN_SMS_TEMPLATES: dict[str, str] = env.dict(
    "NOTIFICATIONS_ALIYUN_SMS_TEMPLATES", default={}
)
NOTIFICATIONS_ALIYUN_SMS_GATEWAY_URL = env.str(
    "NOTIFICATIONS_ALIYUN_SMS_GATEWAY_URL", default="https://dysmsapi.aliyuncs.com/"
)
NOTIFICATIONS_ALIYUN_SMS_REGION = env.str("NOTIFICATIONS_ALIYUN_SMS_REGION", default="cn-hangzhou")
NOTIFICATIONS_ALIYUN_SMS_TIMEOUT = env.float(
    "NOTIFICATIONS_ALIYUN_SMS_TIMEOUT_SECONDS", default=10.0
)  # seconds
NOTIFICATIONS_MAX_ATTEMPTS = env.int("NOTIFICATIONS_MAX_ATTEMPTS", default=8)
NOTIFICATIONS_SMS_SANDBOX_FAIL = env.bool("NOTIFICATIONS_SMS_SANDBOX_FAIL", default=False)
# OPS-1: deadlines due within this window also get an ETA task (fast path); the sweep catches the rest.
DEADLINE_ETA_WINDOW = timedelta(minutes=env.int("DEADLINE_ETA_WINDOW_MINUTES", default=10))
DEADLINE_SWEEP_BATCH = env.int("DEADLINE_SWEEP_BATCH", default=200)

# MER-2, MER-4, MER-6, MER-6a, MER-7: merchant onboarding and re-verification clocks
MERCHANT_APPLICATION_REVIEW_WORKING_DAYS = env.int("MERCHANT_APPLICATION_REVIEW_WORKING_DAYS", default=3)
MERCHANT_REVERIFY_INTERVAL = timedelta(days=env.int("MERCHANT_REVERIFY_INTERVAL_DAYS", default=180))
MERCHANT_REVERIFY_GRACE = timedelta(days=env.int("MERCHANT_REVERIFY_GRACE_DAYS", default=30))
MERCHANT_CHANGE_VERIFY_WORKING_DAYS = env.int("MERCHANT_CHANGE_VERIFY_WORKING_DAYS", default=7)
# MER-6a: the merchant reports a change of its registered information within this many working days
MERCHANT_CHANGE_REPORT_WORKING_DAYS = env.int("MERCHANT_CHANGE_REPORT_WORKING_DAYS", default=3)
MERCHANT_DOCUMENT_WARNING_DAYS = (30, 7)  # days before a document expires
MERCHANT_AGREEMENT_NOTICE = timedelta(days=env.int("MERCHANT_AGREEMENT_NOTICE_DAYS", default=7))
# SEC (issue 20): a shop's invitation to join its staff lapses unanswered after this long
MERCHANT_STAFF_INVITATION_EXPIRES = timedelta(
    days=env.int("MERCHANT_STAFF_INVITATION_EXPIRES_DAYS", default=7)
)
MERCHANT_UPLOAD_MAX_BYTES = env.int("MERCHANT_UPLOAD_MAX_BYTES", default=10 * 1024 * 1024)  # SEC-4

# VIO-2, VIO-3: penalty thresholds (Taobao practice, 淘宝规则 一般违规 / 严重违规 扣分) as
# (track, points, measure, days): reaching ``points`` in ``track`` within a calendar year imposes
# ``measure`` (a Penalty.Measure value) for ``days`` (None: a ban, permanent; 0: a warning, nothing to
# lift). Each track counts from zero every 1 January (platform time zone); each threshold triggers once a
# year per track; when one violation crosses several at once, only the highest applies.
MERCHANT_PENALTY_THRESHOLDS: tuple[tuple[str, int, str, int | None], ...] = (
    ("general", 6, "warning", 0),
    ("general", 12, "listing_restriction", 7),
    ("general", 24, "trading_restriction", 14),
    ("general", 36, "suspension", 21),
    ("general", 48, "ban", None),
    ("serious", 12, "listing_restriction", 7),
    ("serious", 24, "trading_restriction", 14),
    ("serious", 36, "suspension", 30),
    ("serious", 48, "ban", None),
)
# VIO-4: a merchant may appeal a violation this long after it was recorded; staff decide within
MERCHANT_APPEAL_WINDOW = timedelta(days=env.int("MERCHANT_APPEAL_WINDOW_DAYS", default=7))
MERCHANT_APPEAL_REVIEW_WORKING_DAYS = env.int("MERCHANT_APPEAL_REVIEW_WORKING_DAYS", default=5)
# VIO-5: a penalty is published at the latest this many working days after it takes effect
MERCHANT_PENALTY_PUBLISH_WORKING_DAYS = env.int("MERCHANT_PENALTY_PUBLISH_WORKING_DAYS", default=1)

# STF-2, STF-4: staff permission applications and the administrator cap
STAFF_ADMIN_CAP = env.int("STAFF_ADMIN_CAP", default=5)
STAFF_PERMISSION_REVIEW_WORKING_DAYS = env.int("STAFF_PERMISSION_REVIEW_WORKING_DAYS", default=5)
STAFF_USER_APPLICATION_ESCALATION_GROUP = "staff_operations"
STAFF_ATTACHMENT_MAX_BYTES = env.int("STAFF_ATTACHMENT_MAX_BYTES", default=10 * 1024 * 1024)

# DSP-6: the public jury (大众评审)
JURY_MAX_AMOUNT = Decimal(env.str("JURY_MAX_AMOUNT", default="500.00"))
JURY_SIZE = env.int("JURY_SIZE", default=13)
JURY_QUORUM = env.int("JURY_QUORUM", default=7)
JURY_VOTE_WITHIN = timedelta(hours=env.int("JURY_VOTE_WITHIN_HOURS", default=48))
JURY_NO_ORDERS_WITHIN = timedelta(days=env.int("JURY_NO_ORDERS_WITHIN_DAYS", default=90))
# ORD-9: a paid service order is scheduled within 48 hours, else it escalates to the operations head
FIELDWORK_SCHEDULE_WITHIN = timedelta(hours=env.int("FIELDWORK_SCHEDULE_WITHIN_HOURS", default=48))

# SEC-2: field-level encryption of ID and bank account numbers (Fernet keys, newest first; rotate by
# prepending a new key). The development default is a fixed, public key (``_dev_defaults``); production has
# none and refuses to start without one (platform.E102) or with the public one (platform.E103).
if IS_PRODUCTION:
    FIELD_ENCRYPTION_KEYS = env.list("FIELD_ENCRYPTION_KEYS", default=[])  # required: platform.E102
else:
    from platform_core.settings._dev_defaults import DEV_FIELD_ENCRYPTION_KEYS as _dev_field_keys

    FIELD_ENCRYPTION_KEYS = env.list("FIELD_ENCRYPTION_KEYS", default=_dev_field_keys)

# CAT-4, CAT-7, CAT-2: listing review, IP counter-notice window, re-review threshold (a price change above
# this fraction of the current price is reviewed again)
CATALOG_REVIEW_WITHIN = timedelta(hours=env.int("CATALOG_REVIEW_WITHIN_HOURS", default=24))
CATALOG_IP_COUNTER_NOTICE_WINDOW = timedelta(days=env.int("CATALOG_IP_COUNTER_NOTICE_DAYS", default=15))
# SEC-4: each evidence file of a counter-notice uploaded in the seller centre, and how many
CATALOG_IP_EVIDENCE_MAX_BYTES = env.int("CATALOG_IP_EVIDENCE_MAX_BYTES", default=5 * 1024 * 1024)
CATALOG_IP_EVIDENCE_MAX_FILES = env.int("CATALOG_IP_EVIDENCE_MAX_FILES", default=5)
# SEC-4, CAT-1: a listing image (JPEG, PNG or WebP by content) is at most this many bytes and this many
# pixels on its longer side, and a listing shows at most this many images
CATALOG_LISTING_IMAGE_MAX_BYTES = env.int("CATALOG_LISTING_IMAGE_MAX_BYTES", default=5 * 1024 * 1024)
CATALOG_LISTING_IMAGE_MAX_SIDE = env.int("CATALOG_LISTING_IMAGE_MAX_SIDE_PX", default=4096)
CATALOG_LISTING_IMAGE_MAX_FILES = env.int("CATALOG_LISTING_IMAGE_MAX_FILES", default=10)
CATALOG_PRICE_CHANGE_REVIEW_RATIO = Decimal(env.str("CATALOG_PRICE_CHANGE_REVIEW_RATIO", default="0.50"))
# CAT-3: prices (CNY) above / below these are flagged for the reviewer as implausible (a 0.01 placeholder
# price is a classic lure)
CATALOG_PRICE_ABSURD_ABOVE = Decimal(env.str("CATALOG_PRICE_ABSURD_ABOVE", default="1000000.00"))
CATALOG_PRICE_ABSURD_BELOW = Decimal(env.str("CATALOG_PRICE_ABSURD_BELOW", default="0.10"))

# REP-1, REP-2: customer reviews of order lines — the review window after completion, the follow-up
# window, photo limits and the fake-review signals' thresholds
ORDERS_REVIEW_WINDOW = timedelta(days=env.int("ORDERS_REVIEW_WINDOW_DAYS", default=15))
ORDERS_REVIEW_FOLLOW_UP_WITHIN = timedelta(days=env.int("ORDERS_REVIEW_FOLLOW_UP_DAYS", default=180))
ORDERS_REVIEW_PHOTO_MAX_BYTES = env.int("ORDERS_REVIEW_PHOTO_MAX_BYTES", default=5 * 1024 * 1024)  # SEC-4
ORDERS_REVIEW_PHOTO_MAX_FILES = env.int("ORDERS_REVIEW_PHOTO_MAX_FILES", default=9)
ORDERS_REVIEW_SIGNALS = {  # REP-2: every key is required
    # a burst: this many five-star reviews of one shop within the window, from accounts this new
    "burst_count": 5,
    "burst_window_hours": 24,
    "new_account_days": 30,
    # a ring: this many other accounts that each reviewed this many of the same shops (in the window)
    "ring_accounts": 3,
    "ring_shared_merchants": 3,
    "ring_window_days": 180,
}
# CAT-8: default ranking weights (docs/decisions/008-catalog-search.md); the credit factor multiplies the
# score by the merchant's credit grade (REP-3, 1-5; a merchant without a grade yet counts as the default)
CATALOG_RANKING_RELEVANCE_WEIGHT = env.float("CATALOG_RANKING_RELEVANCE_WEIGHT", default=1.0)
CATALOG_RANKING_RELEVANCE_FLOOR = env.float("CATALOG_RANKING_RELEVANCE_FLOOR", default=0.1)
CATALOG_RANKING_SALES_WEIGHT = env.float("CATALOG_RANKING_SALES_WEIGHT", default=0.2)
CATALOG_RANKING_CREDIT_FACTORS = {1: 0.6, 2: 0.8, 3: 1.0, 4: 1.15, 5: 1.3}
# CAT-6: inspection sampling risk multipliers (×): low credit grade (grades not named weigh 1), complaints
# in the window (1 + per complaint × complaints, capped: CMP-3), a merchant new for this many days
CATALOG_INSPECTION_CREDIT_RISK = {1: 3.0, 2: 2.0}
CATALOG_INSPECTION_COMPLAINT_WINDOW = timedelta(
    days=env.int("CATALOG_INSPECTION_COMPLAINT_WINDOW_DAYS", default=90)
)
CATALOG_INSPECTION_RISK_PER_COMPLAINT = env.float("CATALOG_INSPECTION_RISK_PER_COMPLAINT", default=1.0)
CATALOG_INSPECTION_COMPLAINT_RISK_CAP = env.float("CATALOG_INSPECTION_COMPLAINT_RISK_CAP", default=5.0)
CATALOG_INSPECTION_NEW_MERCHANT_RISK = env.float("CATALOG_INSPECTION_NEW_MERCHANT_RISK", default=2.0)
# CMP-3: this many complaints about one listing within the window (30 days) open an inspection of that
# listing (CAT-6) at once: once per crossing, not once per further complaint
CATALOG_INSPECTION_COMPLAINT_TRIGGER = env.int("CATALOG_INSPECTION_COMPLAINT_TRIGGER", default=3)
CATALOG_INSPECTION_COMPLAINT_TRIGGER_WINDOW = timedelta(
    days=env.int("CATALOG_INSPECTION_COMPLAINT_TRIGGER_WINDOW_DAYS", default=30)
)
CATALOG_NEW_MERCHANT_DAYS = env.int("CATALOG_NEW_MERCHANT_DAYS", default=90)
# CAT-9: an assisted listing's stock figures unconfirmed this long prompt operations to check
CATALOG_ASSISTED_STOCK_CONFIRM_WITHIN = timedelta(
    days=env.int("CATALOG_ASSISTED_STOCK_CONFIRM_DAYS", default=7)
)
# CAT-10: how many on-sale listings the weekly re-check samples (weighted like CAT-6), and how long the
# merchant has to correct an error the re-check found before the listing is taken off sale
CATALOG_RECHECK_SAMPLE_SIZE = env.int("CATALOG_RECHECK_SAMPLE_SIZE", default=20)
CATALOG_RECHECK_CORRECTION_WITHIN = timedelta(days=env.int("CATALOG_RECHECK_CORRECTION_DAYS", default=3))

# ORD-3, ORD-4, ORD-6, PAY-4: the order clocks. An unpaid order is cancelled after the payment timeout; a
# paid order ships within ORDERS_SHIP_WITHIN of payment; receipt is confirmed automatically this long
# after shipping (the customer may extend once, by the extension); escrow is settled when the after-sales
# window after completion closes.
ORDERS_PAYMENT_TIMEOUT = timedelta(minutes=env.int("ORDERS_PAYMENT_TIMEOUT_MINUTES", default=30))
ORDERS_SHIP_WITHIN = timedelta(hours=env.int("ORDERS_SHIP_WITHIN_HOURS", default=72))
ORDERS_AUTO_CONFIRM_AFTER = timedelta(days=env.int("ORDERS_AUTO_CONFIRM_AFTER_DAYS", default=10))
ORDERS_CONFIRM_EXTENSION = timedelta(days=env.int("ORDERS_CONFIRM_EXTENSION_DAYS", default=5))
ORDERS_AFTERSALES_WINDOW = timedelta(days=env.int("ORDERS_AFTERSALES_WINDOW_DAYS", default=15))
# ORD-10: delivery problems. No tracking movement this long after shipping (or after the last movement)
# opens a delivery case, as does a carrier's exception event; the merchant then has ORDERS_DELIVERY_CASE_WITHIN
# to resolve it (reship or agree a refund), else the customer may take a full refund at once.
ORDERS_DELIVERY_STALL_AFTER = timedelta(hours=env.int("ORDERS_DELIVERY_STALL_AFTER_HOURS", default=72))
ORDERS_DELIVERY_CASE_WITHIN = timedelta(hours=env.int("ORDERS_DELIVERY_CASE_WITHIN_HOURS", default=48))
# ORD-4: compensation from the merchant's deposit: a rate of the order total, at least min, at most max (CNY)
ORDERS_LATE_SHIPMENT_COMPENSATION = {
    "rate": Decimal(env.str("ORDERS_LATE_SHIPMENT_COMPENSATION_RATE", default="0.05")),
    "min": Decimal(env.str("ORDERS_LATE_SHIPMENT_COMPENSATION_MIN", default="5.00")),
    "max": Decimal(env.str("ORDERS_LATE_SHIPMENT_COMPENSATION_MAX", default="30.00")),
}

# AFS-1 … AFS-5, CMP-2, SEC-4: after-sales. Return windows (days, counted from the day after signing; the
# no-reason window is also the one the order's contract names), the warranty when neither the merchant's
# policy nor the category says, the merchant's response (24 hours, 48 in special cases), the return's
# shipping and receipt, the refund (7DR Art. 13), the escalation window after a refusal, the complaint
# acknowledgement and answer, evidence files.
AFTERSALES_NO_REASON_RETURN_DAYS = env.int("AFTERSALES_NO_REASON_RETURN_DAYS", default=7)
AFTERSALES_QUALITY_RETURN_DAYS = env.int("AFTERSALES_QUALITY_RETURN_DAYS", default=15)
AFTERSALES_WARRANTY_DAYS = env.int("AFTERSALES_WARRANTY_DAYS", default=365)
AFTERSALES_RESPONSE_WITHIN = timedelta(hours=env.int("AFTERSALES_RESPONSE_WITHIN_HOURS", default=24))
AFTERSALES_RESPONSE_WITHIN_SPECIAL = timedelta(
    hours=env.int("AFTERSALES_RESPONSE_WITHIN_SPECIAL_HOURS", default=48)
)
AFTERSALES_RETURN_SHIP_WITHIN = timedelta(days=env.int("AFTERSALES_RETURN_SHIP_WITHIN_DAYS", default=7))
AFTERSALES_RETURN_RECEIPT_WITHIN = timedelta(days=env.int("AFTERSALES_RETURN_RECEIPT_WITHIN_DAYS", default=7))
AFTERSALES_REFUND_WITHIN = timedelta(days=env.int("AFTERSALES_REFUND_WITHIN_DAYS", default=7))
# AFS-4 (7DR Art. 18): the most a customer may claim back for a return's postage (CNY), when the shop pays it
AFTERSALES_RETURN_SHIPPING_FEE_MAX = Decimal(env.str("AFTERSALES_RETURN_SHIPPING_FEE_MAX", default="30.00"))
AFTERSALES_ESCALATION_WINDOW = timedelta(days=env.int("AFTERSALES_ESCALATION_WINDOW_DAYS", default=7))
AFTERSALES_COMPLAINT_ACK_WITHIN = timedelta(
    hours=env.int("AFTERSALES_COMPLAINT_ACK_WITHIN_HOURS", default=24)
)
AFTERSALES_COMPLAINT_ANSWER_WITHIN = timedelta(
    hours=env.int("AFTERSALES_COMPLAINT_ANSWER_WITHIN_HOURS", default=48)
)
AFTERSALES_EVIDENCE_MAX_BYTES = env.int("AFTERSALES_EVIDENCE_MAX_BYTES", default=5 * 1024 * 1024)
AFTERSALES_EVIDENCE_MAX_FILES = env.int("AFTERSALES_EVIDENCE_MAX_FILES", default=9)
# MSG-2: a shop answers a customer's message within 24 hours; platform customer service within 2 hours,
# around the clock
AFTERSALES_MERCHANT_MESSAGE_REPLY_WITHIN = timedelta(
    hours=env.int("AFTERSALES_MERCHANT_MESSAGE_REPLY_WITHIN_HOURS", default=24)
)
AFTERSALES_CS_MESSAGE_REPLY_WITHIN = timedelta(
    hours=env.int("AFTERSALES_CS_MESSAGE_REPLY_WITHIN_HOURS", default=2)
)
