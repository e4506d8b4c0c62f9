"""What happens when a merchant clock runs out (OPS-1); the engine calls these with the subject locked."""

from merchants import services
from merchants.models import (
    Merchant,
    MerchantApplication,
    MerchantChange,
    Penalty,
    PlatformAgreement,
    QualificationDocument,
    Reverification,
    ViolationAppeal,
)
from platform_core.deadlines.registry import deadline_rule


@deadline_rule(
    services.RULE_APPLICATION_REVIEW,
    description="MER-2: a submitted application is reviewed within 3 working days",
)
def application_review_missed(application: MerchantApplication) -> None:
    services.review_overdue_record(subject=application, what="application")


@deadline_rule(
    services.RULE_AGREEMENT_EFFECTIVE,
    description="MER-4: an agreement takes effect; who has not accepted it is restricted",
)
def agreement_effective(agreement: PlatformAgreement) -> None:
    services.agreement_take_effect(agreement=agreement)


@deadline_rule(services.RULE_REVERIFY_DUE, description="MER-6: re-verification is due every 6 months")
def reverify_due(merchant: Merchant) -> None:
    services.reverification_open(merchant=merchant)


@deadline_rule(
    services.RULE_REVERIFY_OVERDUE, description="MER-6: not re-verified 30 days after due: suspended"
)
def reverify_overdue(reverification: Reverification) -> None:
    services.reverification_overdue(reverification=reverification)


@deadline_rule(
    services.RULE_CHANGE_VERIFY, description="MER-6a: a reported change is verified within 7 working days"
)
def change_verify_missed(change: MerchantChange) -> None:
    services.review_overdue_record(subject=change, what="change")


@deadline_rule(
    services.RULE_DOCUMENT_FIRST_WARNING, description="MER-7: warn 30 days before a document expires"
)
def document_first_warning(document: QualificationDocument) -> None:
    services.document_expiry_warn(document=document)


@deadline_rule(
    services.RULE_DOCUMENT_LAST_WARNING, description="MER-7: warn 7 days before a document expires"
)
def document_last_warning(document: QualificationDocument) -> None:
    services.document_expiry_warn(document=document)


@deadline_rule(
    services.RULE_DOCUMENT_EXPIRED, description="MER-7: a document expired: listings needing it are suspended"
)
def document_expired(document: QualificationDocument) -> None:
    services.document_expire(document=document)


@deadline_rule(services.RULE_PENALTY_END, description="VIO-3: a penalty lifts itself at its end")
def penalty_end(penalty: Penalty) -> None:
    services.penalty_end(penalty=penalty)


@deadline_rule(
    services.RULE_PENALTY_PUBLISH, description="VIO-5: a penalty is published within 1 working day"
)
def penalty_publish(penalty: Penalty) -> None:
    services.penalty_publish(penalty=penalty, actor=None)


@deadline_rule(
    services.RULE_APPEAL_REVIEW,
    description="VIO-4: staff decide an appeal within 5 working days; overdue: compliance is told",
)
def appeal_review_missed(appeal: ViolationAppeal) -> None:
    services.appeal_review_overdue(appeal=appeal)
