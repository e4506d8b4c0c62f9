"""What the catalog chapter plugs into other apps (imported at start-up; ``platform_core.hooks``)."""

from catalog.services.inspections import inspection_risk_factors, low_credit_risk, new_merchant_risk
from catalog.services.review import listings_suspend_for_document
from merchants.services.documents import document_expired_handlers
from platform_core.org.permissions import Audience, Level, permission_register

# MER-7: when a merchant's licence expires, its listings in categories needing it come down.
document_expired_handlers.register(listings_suspend_for_document)

# CAT-6, REP-3: catalog's own inspection risk factors, the merchant's age and credit grade.
inspection_risk_factors.register(new_merchant_risk)
inspection_risk_factors.register(low_credit_risk)

# STF-1: the chapter's custom permissions (its default add/change/delete/view follow the registry's rule).
for _key, _text in (
    ("catalog.review_listing", "Approve or reject listings (CAT-2)"),
    ("catalog.takedown_listing", "Take listings down (CAT-2, CAT-7)"),
    ("catalog.inspect_listing", "Run quality inspections (CAT-6)"),
    ("catalog.assist_listing", "List and edit on behalf of partner merchants (CAT-9)"),
):
    permission_register(_key, level=Level.ADVANCED, audience=Audience.STAFF, description=_text)
