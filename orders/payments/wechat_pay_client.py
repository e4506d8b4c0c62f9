"""PAY-3 (decision 029): the signed calls to WeChat Pay API v3 and its platform certificates.

- A request carries ``Authorization: WECHATPAY2-SHA256-RSA2048 mchid=…,nonce_str=…,signature=…,
  timestamp=…,serial_no=…``; the signature is SHA256withRSA with our merchant API key
  (``ORDERS_WECHAT_PAY_MCH_PRIVATE_KEY``, certificate serial ``ORDERS_WECHAT_PAY_MCH_SERIAL``) over
  ``"<METHOD>\\n<path?query>\\n<timestamp>\\n<nonce>\\n<body>\\n"``.
- Every answer (errors too) is signed by a platform certificate: the ``Wechatpay-*`` headers over
  ``"<timestamp>\\n<nonce>\\n<body>\\n"``; the serial picks the key. An answer that does not verify, a 5xx
  or none at all is ``ProviderUnreachable``; a verified 4xx is ``ProviderRejected`` (its ``code``).
- Platform keys: the configured one (``ORDERS_WECHAT_PAY_PLATFORM_PUBLIC_KEY`` / ``…_SERIAL``) and the
  certificates downloaded from ``GET /v3/certificates`` (``certificates_refresh``, beat every
  ``ORDERS_WECHAT_PAY_CERTIFICATES_REFRESH_HOURS``), decrypted with the APIv3 key and kept in
  ``ProviderCertificate`` until they expire: WeChat Pay rotates its certificate by publishing the new one
  there before it signs with it, so a rotation needs no deployment.
"""

import base64
import json
import secrets
import time
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.dateparse import parse_datetime

from orders.models import ProviderCertificate
from orders.payments.base import CallbackRejected, rsa_sha256_sign, rsa_sha256_verify
from orders.payments.http import ProviderRejected, ProviderUnreachable, http_call
from platform_core import clock

PROVIDER = "wechat_pay"
SIGNATURE_TYPE = "WECHATPAY2-SHA256-RSA2048"


def signed_message(timestamp: str, nonce: str, body: bytes) -> bytes:
    """The bytes WeChat Pay signs for a notification or an answer."""
    return timestamp.encode() + b"\n" + nonce.encode() + b"\n" + body + b"\n"


def platform_public_key(serial: str) -> str:
    """The platform public key (PEM) with certificate ``serial``: the configured one or a downloaded, unexpired
    one; ``""`` if unknown. Without a configured serial the configured key serves any serial."""
    configured = settings.ORDERS_WECHAT_PAY_PLATFORM_PUBLIC_KEY
    if configured and (
        not settings.ORDERS_WECHAT_PAY_PLATFORM_SERIAL or serial == settings.ORDERS_WECHAT_PAY_PLATFORM_SERIAL
    ):
        return str(configured)
    row = (
        ProviderCertificate.objects.filter(provider=PROVIDER, serial=serial, expires_at__gt=clock.real_now())
        .values_list("public_key", flat=True)
        .first()
    )
    return row or ""


def signature_valid(headers: dict[str, str], body: bytes, extra_keys: dict[str, str] | None = None) -> bool:
    """The ``Wechatpay-*`` headers sign ``body`` with a platform key we know (or one of ``extra_keys``)."""
    given = {k.lower(): v for k, v in headers.items()}
    timestamp, nonce = given.get("wechatpay-timestamp", ""), given.get("wechatpay-nonce", "")
    signature, serial = given.get("wechatpay-signature", ""), given.get("wechatpay-serial", "")
    if not (timestamp and nonce and signature):
        return False
    key = platform_public_key(serial) or (extra_keys or {}).get(serial, "")
    return bool(key) and rsa_sha256_verify(key, signed_message(timestamp, nonce, body), signature)


class WechatPayClient:
    """Signed JSON calls to ``ORDERS_WECHAT_PAY_GATEWAY``."""

    def authorization(self, method: str, path: str, body: bytes) -> str:
        timestamp, nonce = str(int(time.time())), secrets.token_hex(16)
        message = f"{method}\n{path}\n{timestamp}\n{nonce}\n".encode() + body + b"\n"
        try:
            signature = rsa_sha256_sign(settings.ORDERS_WECHAT_PAY_MCH_PRIVATE_KEY, message)
        except ValueError as exc:
            raise ProviderUnreachable("ORDERS_WECHAT_PAY_MCH_PRIVATE_KEY is not a usable RSA key") from exc
        return (
            f'{SIGNATURE_TYPE} mchid="{settings.ORDERS_WECHAT_PAY_MCH_ID}",nonce_str="{nonce}",'
            f'signature="{signature}",timestamp="{timestamp}",serial_no="{settings.ORDERS_WECHAT_PAY_MCH_SERIAL}"'
        )

    def call(
        self,
        method: str,
        path: str,
        payload: dict[str, Any] | None = None,
        *,
        extra_keys: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        """The verified JSON answer (``{}`` for 204); ``ProviderRejected`` / ``ProviderUnreachable``.
        ``headers``: more request headers (``Wechatpay-Serial`` when a field is encrypted)."""
        body = json.dumps(payload, ensure_ascii=False).encode() if payload is not None else b""
        gateway = settings.ORDERS_WECHAT_PAY_GATEWAY.rstrip("/")
        prefix = urlsplit(gateway).path
        headers = {
            "Authorization": self.authorization(method, prefix + path, body),
            "Accept": "application/json",
            "Content-Type": "application/json",
            "User-Agent": "marketplace-platform",
            **(headers or {}),
        }
        answer = http_call(method, gateway + path, body=body if method != "GET" else None, headers=headers)
        if not signature_valid(answer.headers, answer.body, extra_keys):
            raise ProviderUnreachable(
                f"{method} {path}: answer not signed by WeChat Pay (HTTP {answer.status})"
            )
        try:
            data = json.loads(answer.body) if answer.body else {}
        except ValueError as exc:
            raise ProviderUnreachable(f"{method} {path}: unreadable answer") from exc
        if answer.status >= 400:
            code = str(data.get("code", answer.status))
            if code in ("SYSTEM_ERROR", "FREQUENCY_LIMITED"):
                raise ProviderUnreachable(f"{method} {path}: {code}")
            raise ProviderRejected(code, str(data.get("message", "")))
        return data if isinstance(data, dict) else {}


def platform_encryption_key() -> tuple[str, str]:
    """The platform certificate a sensitive field is encrypted for: ``(serial, public key PEM)`` — the
    newest downloaded certificate in force, else the configured one (``ProviderUnreachable`` if none)."""
    now = clock.real_now()
    row = (
        ProviderCertificate.objects.filter(provider=PROVIDER, effective_at__lte=now, expires_at__gt=now)
        .order_by("-effective_at", "-pk")
        .values_list("serial", "public_key")
        .first()
    )
    if row is not None:
        return str(row[0]), str(row[1])
    if settings.ORDERS_WECHAT_PAY_PLATFORM_PUBLIC_KEY and settings.ORDERS_WECHAT_PAY_PLATFORM_SERIAL:
        return settings.ORDERS_WECHAT_PAY_PLATFORM_SERIAL, settings.ORDERS_WECHAT_PAY_PLATFORM_PUBLIC_KEY
    raise ProviderUnreachable("no WeChat Pay platform certificate to encrypt a sensitive field with")


def sensitive_encrypt(text: str) -> tuple[str, str]:
    """A sensitive request field (a payee's name) as WeChat Pay API v3 requires it: RSAES-OAEP (SHA-1,
    MGF1-SHA-1) with a platform certificate's public key, base64; returns ``(serial, ciphertext)`` — the
    request names the serial in its ``Wechatpay-Serial`` header."""
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import padding, rsa

    serial, pem = platform_encryption_key()
    key = serialization.load_pem_public_key(pem.encode())
    if not isinstance(key, rsa.RSAPublicKey):
        raise ProviderUnreachable("the WeChat Pay platform key is not an RSA key")
    oaep = padding.OAEP(mgf=padding.MGF1(algorithm=hashes.SHA1()), algorithm=hashes.SHA1(), label=None)  # noqa: S303
    return serial, base64.b64encode(key.encrypt(text.encode(), oaep)).decode()


def certificates_refresh() -> list[str]:
    """Download WeChat Pay's platform certificates and keep each one's public key until it expires; the
    serials now known. The answer is signed by one of them, possibly one we learn only from it (after its
    AES-GCM decryption with our APIv3 key proved the list came from WeChat Pay)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization

    from orders.payments.wechat_pay import resource_decrypt_bytes

    client = WechatPayClient()
    gateway_path = "/v3/certificates"
    # first pass: fetch without verifying the signer, decrypt, then verify with what we learnt
    answer_keys: dict[str, str] = {}
    raw = http_call(
        "GET",
        settings.ORDERS_WECHAT_PAY_GATEWAY.rstrip("/") + gateway_path,
        headers={
            "Authorization": client.authorization(
                "GET", urlsplit(settings.ORDERS_WECHAT_PAY_GATEWAY).path.rstrip("/") + gateway_path, b""
            ),
            "Accept": "application/json",
        },
    )
    try:
        entries = json.loads(raw.body)["data"]
    except (ValueError, KeyError, TypeError) as exc:
        raise ProviderUnreachable("certificates: unreadable answer") from exc
    found: list[tuple[str, str, Any, Any]] = []
    for entry in entries:
        try:
            pem = resource_decrypt_bytes(entry["encrypt_certificate"], settings.ORDERS_WECHAT_PAY_APIV3_KEY)
            certificate = x509.load_pem_x509_certificate(pem)
        except (CallbackRejected, KeyError, ValueError, TypeError) as exc:
            raise ProviderUnreachable("certificates: a certificate could not be decrypted") from exc
        public = certificate.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        answer_keys[str(entry["serial_no"])] = public.decode()
        found.append(
            (
                str(entry["serial_no"]),
                public.decode(),
                parse_datetime(str(entry.get("effective_time", ""))),
                parse_datetime(str(entry.get("expire_time", ""))),
            )
        )
    if raw.status != 200 or not signature_valid(raw.headers, raw.body, answer_keys):
        raise ProviderUnreachable(f"certificates: answer not signed by WeChat Pay (HTTP {raw.status})")
    for serial, public_key, effective, expires in found:
        ProviderCertificate.objects.update_or_create(
            provider=PROVIDER,
            serial=serial,
            defaults={
                "public_key": public_key,
                "effective_at": effective or clock.now(),
                "expires_at": expires or clock.now(),
            },
        )
    return [serial for serial, *_rest in found]
