"""What happens when a merchant clock runs out (OPS-1); the engine calls these with the subject locked."""

from django.utils.translation import gettext_lazy as _

from merchants.clocks import (
    RULE_AGREEMENT_EFFECTIVE,
    RULE_APPEAL_REVIEW,
    RULE_APPLICATION_REVIEW,
    RULE_CHANGE_VERIFY,
    RULE_DOCUMENT_EXPIRED,
    RULE_DOCUMENT_FIRST_WARNING,
    RULE_DOCUMENT_LAST_WARNING,
    RULE_PENALTY_END,
    RULE_PENALTY_PUBLISH,
    RULE_REVERIFY_DUE,
    RULE_REVERIFY_OVERDUE,
)
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
from merchants.services import penalties
from merchants.services.agreements import agreement_take_effect
from merchants.services.appeals import appeal_review_overdue
from merchants.services.changes import review_overdue_record
from merchants.services.documents import document_expire, document_expiry_warn
from merchants.services.reverification import reverification_open, reverification_overdue
from platform_core.deadlines.registry import deadline_rule


@deadline_rule(
    RULE_APPLICATION_REVIEW,
    description="MER-2: a submitted application is reviewed within 3 working days",
    parties=lambda application: (application.applicant, application.reviewer),
    label=_("Review of the merchant application"),
)
def application_review_missed(application: MerchantApplication) -> None:
    review_overdue_record(subject=application, what="application")


@deadline_rule(
    RULE_AGREEMENT_EFFECTIVE,
    description="MER-4: an agreement takes effect; who has not accepted it is restricted",
)
def agreement_effective(agreement: PlatformAgreement) -> None:
    agreement_take_effect(agreement=agreement)


@deadline_rule(RULE_REVERIFY_DUE, description="MER-6: re-verification is due every 6 months")
def reverify_due(merchant: Merchant) -> None:
    reverification_open(merchant=merchant)


@deadline_rule(RULE_REVERIFY_OVERDUE, description="MER-6: not re-verified 30 days after due: suspended")
def reverify_overdue(reverification: Reverification) -> None:
    reverification_overdue(reverification=reverification)


@deadline_rule(
    RULE_CHANGE_VERIFY,
    description="MER-6a: a reported change is verified within 7 working days",
    parties=lambda change: (change.reported_by,),
    label=_("Verification of the reported change"),
)
def change_verify_missed(change: MerchantChange) -> None:
    review_overdue_record(subject=change, what="change")


@deadline_rule(RULE_DOCUMENT_FIRST_WARNING, description="MER-7: warn 30 days before a document expires")
def document_first_warning(document: QualificationDocument) -> None:
    document_expiry_warn(document=document)


@deadline_rule(RULE_DOCUMENT_LAST_WARNING, description="MER-7: warn 7 days before a document expires")
def document_last_warning(document: QualificationDocument) -> None:
    document_expiry_warn(document=document)


@deadline_rule(
    RULE_DOCUMENT_EXPIRED, description="MER-7: a document expired: listings needing it are suspended"
)
def document_expired(document: QualificationDocument) -> None:
    document_expire(document=document)


@deadline_rule(RULE_PENALTY_END, description="VIO-3: a penalty lifts itself at its end")
def penalty_end(penalty: Penalty) -> None:
    penalties.penalty_end(penalty=penalty)


@deadline_rule(
    RULE_PENALTY_PUBLISH,
    description="VIO-5: a penalty is published within 1 working day",
    parties=lambda penalty: (penalty.merchant.owner,),
    label=_("Publication of the penalty"),
)
def penalty_publish(penalty: Penalty) -> None:
    penalties.penalty_publish(penalty=penalty, actor=None)


@deadline_rule(
    RULE_APPEAL_REVIEW,
    description="VIO-4: staff decide an appeal within 5 working days; overdue: compliance is told",
    parties=lambda appeal: (appeal.submitted_by,),
    label=_("Decision on the appeal"),
)
def appeal_review_missed(appeal: ViolationAppeal) -> None:
    appeal_review_overdue(appeal=appeal)
