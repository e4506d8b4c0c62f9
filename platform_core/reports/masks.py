"""Masks for report columns that the kernel's ``accounts.masking`` helpers do not cover (SEC-2)."""

import json
import re
from typing import Any
from urllib.parse import parse_qsl, urlencode

from platform_core.accounts.masking import (
    MASK,
    mask_address,
    mask_bank_account,
    mask_id_number,
    mask_name,
    mask_phone,
)
from platform_core.operations.logs import mask_personal_data

_PHONE = re.compile(r"^\+?\d[\d\s-]{6,}$")

#: JSON keys (in audit before/after) whose values are personal data.
PERSONAL_KEYS = {
    "phone": mask_phone,
    "contact_phone": mask_phone,
    "mobile": mask_phone,
    "name": mask_name,
    "real_name": mask_name,
    "legal_representative": mask_name,
    "address": mask_address,
    "registered_address": mask_address,
    "shipping_address": mask_address,
    "id_number": mask_id_number,
    # the payer's account at a payment provider (sandbox ``payer_account``, Alipay ``buyer_*``, WeChat ``openid``)
    "payer_account": mask_bank_account,
    "buyer_id": mask_bank_account,
    "buyer_open_id": mask_bank_account,
    "buyer_logon_id": mask_bank_account,
    "openid": mask_bank_account,
    "email": None,  # filled below
    "contact_email": None,
}


def mask_email(value: str | None) -> str:
    """``zhang.san@example.com`` → ``z****@example.com``."""
    if not value:
        return ""
    local, _at, domain = value.strip().partition("@")
    if not domain:
        return mask_name(value)
    return f"{local[:1]}{MASK * 4}@{domain}"


PERSONAL_KEYS["email"] = mask_email
PERSONAL_KEYS["contact_email"] = mask_email


def mask_person(value: str | None) -> str:
    """How a person is shown (``str(user)``: a name, an email or a phone number), masked accordingly."""
    if not value:
        return ""
    text = value.strip()
    if "@" in text:
        return mask_email(text)
    if _PHONE.match(text):
        return mask_phone(text)
    return mask_name(text)


def mask_personal_json(value: Any) -> Any:
    """A JSON value with every personal-data key's value masked, recursively (audit before/after)."""
    if isinstance(value, dict):
        result = {}
        for key, item in value.items():
            mask = PERSONAL_KEYS.get(str(key))
            if mask is not None and (item is None or isinstance(item, str | int)):
                result[key] = mask(None if item is None else str(item))
            else:
                result[key] = mask_personal_json(item)
        return result
    if isinstance(value, list):
        return [mask_personal_json(item) for item in value]
    return value


def mask_personal_callback(body: str | None) -> str:
    """SEC-2: a payment provider's raw notification with the payer masked: JSON (the sandbox, WeChat Pay)
    or a form body (Alipay) by key, and any phone or ID number left in free text."""
    if not body:
        return ""
    text = body.strip()
    try:
        return json.dumps(mask_personal_json(json.loads(text)), ensure_ascii=False, sort_keys=True)
    except ValueError:
        pass
    if "=" in text and " " not in text:
        pairs = parse_qsl(text, keep_blank_values=True)
        masked = [(key, str(mask_personal_json({key: value})[key])) for key, value in pairs]
        return urlencode(masked, safe="*")
    return mask_personal_data(text)
