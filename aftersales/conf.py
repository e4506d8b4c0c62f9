"""After-sales defaults. Every number a rule names is read from settings when set there; these are the
defaults (rules.md AFS-1 … AFS-4, CMP-2)."""

from datetime import timedelta

from django.conf import settings


def _get(name: str, default: object) -> object:
    return getattr(settings, name, default)


def no_reason_return_days() -> int:
    """AFS-1, AFS-2 (7DR Art. 10): seven days, counted from the day after signing."""
    return int(str(_get("AFTERSALES_NO_REASON_RETURN_DAYS", 7)))


def quality_return_days() -> int:
    """AFS-1: fifteen days for quality problems, counted like the no-reason window."""
    return int(str(_get("AFTERSALES_QUALITY_RETURN_DAYS", 15)))


def warranty_days() -> int:
    """AFS-1: the warranty period for repairs when neither the merchant's policy nor the category says."""
    return int(str(_get("AFTERSALES_WARRANTY_DAYS", 365)))


def response_within(*, special: bool) -> timedelta:
    """AFS-3: the merchant responds within 24 hours, 48 hours in special cases."""
    if special:
        return _get("AFTERSALES_RESPONSE_WITHIN_SPECIAL", timedelta(hours=48))  # type: ignore[return-value]
    return _get("AFTERSALES_RESPONSE_WITHIN", timedelta(hours=24))  # type: ignore[return-value]


def return_ship_within() -> timedelta:
    """AFS-4: the customer ships an approved return within 7 days or the request lapses."""
    return _get("AFTERSALES_RETURN_SHIP_WITHIN", timedelta(days=7))  # type: ignore[return-value]


def return_receipt_within() -> timedelta:
    """AFS-4: the merchant confirms receipt within 7 days of the return's delivery."""
    return _get("AFTERSALES_RETURN_RECEIPT_WITHIN", timedelta(days=7))  # type: ignore[return-value]


def refund_within() -> timedelta:
    """AFS-4 (7DR Art. 13): the refund is issued within 7 days of the merchant's receipt."""
    return _get("AFTERSALES_REFUND_WITHIN", timedelta(days=7))  # type: ignore[return-value]


def escalation_window() -> timedelta:
    """AFS-5: after a refusal the customer may escalate to a dispute for this long; then it closes."""
    return _get("AFTERSALES_ESCALATION_WINDOW", timedelta(days=7))  # type: ignore[return-value]


def complaint_ack_within() -> timedelta:
    """CMP-2: customer service acknowledges a complaint within 24 hours."""
    return _get("AFTERSALES_COMPLAINT_ACK_WITHIN", timedelta(hours=24))  # type: ignore[return-value]


def complaint_answer_within() -> timedelta:
    """CMP-2: customer service answers a complaint within 48 hours of its filing."""
    return _get("AFTERSALES_COMPLAINT_ANSWER_WITHIN", timedelta(hours=48))  # type: ignore[return-value]


def evidence_max_bytes() -> int:
    """SEC-4: the largest evidence file accepted."""
    return int(str(_get("AFTERSALES_EVIDENCE_MAX_BYTES", 5 * 1024 * 1024)))


def evidence_max_files() -> int:
    """SEC-4: how many evidence files one request or complaint may carry."""
    return int(str(_get("AFTERSALES_EVIDENCE_MAX_FILES", 9)))
