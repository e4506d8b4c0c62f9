"""Issue 24: what the schema says about the API as a whole — its description and one described tag per
resource — in the reader's language (``/api/schema/?lang=zh-hans`` or ``Accept-Language``).

``schema_postprocess`` is a drf-spectacular postprocessing hook (``SPECTACULAR_SETTINGS``). A tag an
operation uses but that is not described here stays undescribed, and the contract test fails.
"""

from typing import Any

from django.utils.translation import gettext_lazy

API_DESCRIPTION = gettext_lazy(
    """The marketplace's REST API for customers, merchants and platform staff. Rule IDs (ORD-4, PAY-7, …) \
refer to the platform's rule book.

## Authentication
Sign in with `POST /api/v1/auth/login/` and send the token on every request: \
`Authorization: Token <token>`. Staff and auditor accounts also prove their second factor \
(`POST /api/v1/auth/otp/verify/`) before any other call.

## Versioning
The version is in the path: `/api/v1/`. Within v1 changes are only additive (new operations, new \
optional request fields, new response fields, new `code` values); clients must ignore fields they do \
not know. A change that would break a client gets a new path prefix (`/api/v2/`), served alongside v1, never \
a change under v1.

## Errors
Every error has the same JSON body: `code` (stable, for programs), `detail` (for people, in the \
language of the request), `errors` (400: each field's messages) and `request_id` (also the `X-Request-ID` \
response header; quote it to support). Each operation lists the statuses it can answer and, per status, \
the `code` values. 404 also means "not yours": the API never confirms that an object you may not see \
exists. 409 means the action is not allowed in the object's current state.

## Idempotency
Operations that move money require an `Idempotency-Key` header (any string up to 255 characters, e.g. a \
UUID, one per operation you mean). Sending the same key with the same body again answers the first \
response again, byte for byte, with the header `Idempotent-Replayed: true`; the same key with another \
body is a 422 `idempotency_key_reused`; without the key such an operation answers 400 \
`idempotency_key_required`. Keys are kept for at least 24 hours. A 5xx answer is not kept, so retry \
with the same key.

## Pagination
Lists answer a page: `{"count", "next", "previous", "results"}`. `?page=` (from 1) chooses the page and \
`?page_size=` (1 to 100, default 20) its size; a `page_size` out of range is a 400 and a page past the \
end a 404. Follow `next` until it is null.

## Languages
Messages, summaries and this description follow `Accept-Language` (`zh-hans` first, `en`); the schema \
itself also takes `?lang=zh-hans`.

## Webhooks we receive
Providers call us; the body is verified over the exact bytes received, before it is parsed, and a \
notification that fails verification is answered 400 and changes nothing. Notifications are idempotent: \
a repeated one is acknowledged and ignored.
- Payments (`POST /api/v1/payments/callbacks/{provider}/`): Alipay — RSA2 (SHA256withRSA) over the \
sorted `k=v` parameters without `sign`/`sign_type`, signature in `sign`; WeChat Pay — \
`Wechatpay-Timestamp`, `Wechatpay-Nonce`, `Wechatpay-Signature` (SHA256withRSA over \
`"<timestamp>\\n<nonce>\\n<body>\\n"`); sandbox — `X-Sandbox-Signature`: hex HMAC-SHA256 of the raw \
body with the sandbox key.
- Carriers (`POST /api/v1/logistics/callbacks/{carrier}/`): `X-Carrier-Signature`: hex HMAC-SHA256 of \
the raw body with the carrier's key.

## Sandbox
Outside production the sandbox payment provider is enabled: pay at \
`POST /api/v1/payments/sandbox/{out_trade_no}/pay/` and the signed notification follows. Production has \
no sandbox route."""
)

TAG_DESCRIPTIONS = {
    "accounts": gettext_lazy("Registration, sign-in, sign-out and the second factor."),
    "announcements": gettext_lazy("The platform's published announcements and rules."),
    "me": gettext_lazy("The signed-in user: account, favourites, follows, privacy and permissions."),
    "notifications": gettext_lazy("The signed-in user's notifications."),
    "permission-applications": gettext_lazy("Applications for advanced permissions and their review."),
    "categories": gettext_lazy("The category tree: the identifiers listings, applications and deposits use."),
    "listings": gettext_lazy(
        "Listings and their SKUs: search and detail for everyone, management for shops."
    ),
    "ip-notices": gettext_lazy("Intellectual-property notices, counter-notices and their publication."),
    "cart": gettext_lazy("The customer's cart and checkout."),
    "orders": gettext_lazy("Orders for customers and shops: payment, shipping, receipt, cancellation."),
    "delivery-cases": gettext_lazy("Lost, damaged or stuck parcels and how they are resolved."),
    "payments": gettext_lazy("Paying, the providers' signed notifications and the sandbox cashier."),
    "logistics": gettext_lazy("Carriers' signed tracking webhooks."),
    "reviews": gettext_lazy("Reviews of order lines, follow-ups, replies, likes and photos."),
    "aftersales": gettext_lazy("After-sales requests: refund, return, exchange and repair."),
    "complaints": gettext_lazy("Complaints and customer service's answers."),
    "conversations": gettext_lazy("Conversations between customers, shops and customer service."),
    "suggestions": gettext_lazy("Feedback and suggestions to the platform."),
    "disputes": gettext_lazy("Disputes for both parties: evidence, mediation, rulings, appeals and returns."),
    "jury": gettext_lazy("The public jury: consent to it and the jurors' cases and votes."),
    "merchants": gettext_lazy(
        "Shops: opening one, agreements, documents, members, deposits, standing, violations and public pages."
    ),
    "statements": gettext_lazy("A shop's payout statements."),
    "fieldwork": gettext_lazy("Service orders' visits, as the field coordinator schedules and records them."),
    "reports": gettext_lazy("Reports and exports for staff."),
    "sandbox": gettext_lazy("Demo and staging only: the test clock."),
}


def schema_postprocess(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    """The API's description, and every tag in use with its description (alphabetical)."""
    result.setdefault("info", {})["description"] = API_DESCRIPTION
    paths = result.get("paths", {}).values()
    used = sorted({tag for item in paths for operation in item.values() for tag in operation.get("tags", [])})
    result["tags"] = [
        {"name": tag, "description": TAG_DESCRIPTIONS[tag]} if tag in TAG_DESCRIPTIONS else {"name": tag}
        for tag in used
    ]
    return result
