"""The merchant: who sells, in what standing (MER-8); how it got there (MER-1..3), what it agreed to
(MER-4), what it must keep valid (MER-6, MER-6a, MER-7) and what it did wrong (VIO-1).

One module per sub-domain; every model (and the names migrations and callers use as
``merchants.models.X``) is imported here, as Django expects of an app's models.
"""

from merchants.models.agreements import AgreementAcceptance, PlatformAgreement
from merchants.models.applications import (
    BASE_DOCUMENT_KINDS,
    REVIEW_PERMISSION,
    DocumentKind,
    MerchantApplication,
    QualificationDocument,
    document_upload_to,
)
from merchants.models.closure import MerchantClosureRequest
from merchants.models.credit import CreditGradePolicy, MerchantCreditSnapshot, MerchantKpi
from merchants.models.merchant import Merchant, MerchantMember, MerchantStatusChange, StaffInvitation
from merchants.models.reverification import MerchantChange, Reverification
from merchants.models.violations import APPEAL_DECIDE_PERMISSION, Penalty, Violation, ViolationAppeal

__all__ = [
    "APPEAL_DECIDE_PERMISSION",
    "BASE_DOCUMENT_KINDS",
    "REVIEW_PERMISSION",
    "AgreementAcceptance",
    "CreditGradePolicy",
    "DocumentKind",
    "Merchant",
    "MerchantApplication",
    "MerchantChange",
    "MerchantClosureRequest",
    "MerchantCreditSnapshot",
    "MerchantKpi",
    "MerchantMember",
    "MerchantStatusChange",
    "Penalty",
    "PlatformAgreement",
    "QualificationDocument",
    "Reverification",
    "StaffInvitation",
    "Violation",
    "ViolationAppeal",
    "document_upload_to",
]
