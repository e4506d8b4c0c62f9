"""ORD-1: the order's contract (交易合同) as a PDF, rendered from the snapshot taken at checkout (the contract
JSON and the line snapshots), never from today's agreement or listings.

``contract_paragraphs`` lists what the PDF says, in order; ``contract_pdf`` lays it out with ReportLab
in the report renderers' CJK font, a subset of it embedded in the file (AUD-3, decision 042).
"""

import io
from typing import Any
from xml.sax.saxutils import escape

from django.utils.translation import gettext as _

from orders.models import Order
from platform_core.accounts.masking import mask_name
from platform_core.reports.renderers import pdf_styles, pdf_table


def non_returnable_confirmation_text(line: dict[str, Any]) -> str:
    """AFS-2: the contract's record of the customer's confirmation that the line is non-returnable."""
    return _(
        "%(title)s: marked non-returnable by the shop; the buyer confirmed at purchase (%(at)s) that it has "
        "no 7-day no-reason return."
    ) % {"title": line.get("title", ""), "at": line.get("non_returnable_confirmed_at") or "—"}


def policy_paragraphs(policy: dict[str, Any] | None) -> list[tuple[str, str]]:
    """ORD-1: the shop's own after-sales policy at purchase, as the contract holds it."""
    if not policy:
        return []
    payer = policy.get("no_reason_return_shipping_payer")
    out = [
        ("Heading2", _("The shop's after-sales policy at purchase")),
        (
            "Normal",
            _("Return shipping of a no-reason return is paid by: %(payer)s")
            % {"payer": _("the shop") if payer == "merchant" else _("the buyer")},
        ),
        ("Normal", _("Warranty (days): %(days)s") % {"days": policy.get("warranty_days", "")}),
    ]
    if policy.get("exchange_repair_terms"):
        out.append(
            (
                "Normal",
                _("Exchange and repair terms: %(terms)s") % {"terms": policy["exchange_repair_terms"]},
            )
        )
    return out


def contract_paragraphs(order: Order) -> list[tuple[str, str]]:
    """``(style, text)`` pairs of the contract, top to bottom; ``table`` rows are tab-separated cells."""
    contract: dict[str, Any] = order.contract or {}
    merchant = contract.get("merchant") or {}
    terms = contract.get("terms") or {}
    agreement = contract.get("agreement")
    out: list[tuple[str, str]] = [
        ("Title", _("Order contract %(number)s") % {"number": order.number}),
        ("Normal", _("Signed at: %(at)s") % {"at": contract.get("signed_at", "")}),
        ("Heading2", _("Parties")),
        (
            "Normal",
            _("Seller: %(name)s — %(legal)s, unified social credit code %(code)s%(self)s")
            % {
                "name": merchant.get("name", ""),
                "legal": merchant.get("legal_name", ""),
                "code": merchant.get("credit_code", ""),
                "self": " (自营)" if merchant.get("is_self_operated") else "",
            },
        ),
        (
            "Normal",
            _("Buyer: customer #%(id)s, recipient %(name)s")
            % {"id": order.customer_id, "name": mask_name(order.shipping_name) or "—"},
        ),
        ("Heading2", _("Items")),
        ("table", "\t".join([_("Item"), _("SKU"), _("Unit price"), _("Quantity"), _("Total")])),
    ]
    for line in order.lines.all():
        out.append(
            (
                "table",
                "\t".join(
                    [
                        line.title,
                        line.sku_code,
                        str(line.unit_price),
                        str(line.quantity),
                        str(line.line_total),
                    ]
                ),
            )
        )
    out.append(("Normal", _("Order total: ¥%(total)s") % {"total": order.total}))
    out.append(("Heading2", _("After-sales terms")))
    for line in contract.get("lines", []):
        out.append(
            (
                "Normal",
                _(
                    "%(title)s (%(category)s): %(returns)s; the shop answers after-sales requests within %(hours)s h"
                )
                % {
                    "title": line.get("title", ""),
                    "category": line.get("category", ""),
                    "returns": _("7-day no-reason return")
                    if line.get("no_reason_return")
                    else _("no no-reason return"),
                    "hours": line.get("aftersales_response_hours", ""),
                },
            )
        )
        if line.get("non_returnable_confirmed"):
            out.append(("Normal", non_returnable_confirmation_text(line)))
    out += policy_paragraphs(contract.get("aftersales_policy"))
    for label, key in (
        (_("Ships within (hours)"), "ship_within_hours"),
        (_("Automatic confirmation after (days)"), "auto_confirm_days"),
        (_("Confirmation extension (days)"), "confirm_extension_days"),
        (_("After-sales window (days)"), "aftersales_window_days"),
        (_("No-reason return (days)"), "no_reason_return_days"),
    ):
        if key in terms:
            out.append(("Normal", f"{label}: {terms[key]}"))
    if agreement:
        out.append(
            (
                "Heading2",
                _("%(title)s, version %(version)s")
                % {"title": agreement.get("title", ""), "version": agreement.get("version", "")},
            )
        )
        out += [("Normal", text) for text in str(agreement.get("body", "")).splitlines() if text.strip()]
    return out


def contract_pdf(order: Order) -> bytes:
    """ORD-1: the contract snapshot as an A4 PDF."""
    from reportlab.lib.pagesizes import A4
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

    styles = pdf_styles()
    story: list[Any] = []
    rows: list[list[str]] = []
    for style, text in contract_paragraphs(order):
        if style == "table":
            rows.append(text.split("\t"))
            continue
        if rows:
            story += [pdf_table(rows), Spacer(1, 6)]
            rows = []
        story.append(Paragraph(escape(text), styles[style]))
    if rows:
        story.append(pdf_table(rows))
    buffer = io.BytesIO()
    SimpleDocTemplate(buffer, pagesize=A4, title=f"Order contract {order.number}").build(story)
    return buffer.getvalue()
