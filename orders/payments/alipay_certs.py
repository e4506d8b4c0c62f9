"""PAY-3: Alipay's certificate mode (公钥证书模式) — the certificates and their serial numbers.

In certificate mode the open platform issues three files instead of exchanging bare public keys:

- ``appCertPublicKey_<app_id>.crt``: *our* application's public-key certificate (its key is the public half of
  ``ORDERS_ALIPAY_APP_PRIVATE_KEY``), setting ``ORDERS_ALIPAY_APP_CERT``;
- ``alipayCertPublicKey_RSA2.crt``: Alipay's public-key certificate (verifies Alipay's answers and
  notifications), setting ``ORDERS_ALIPAY_PUBLIC_CERT``;
- ``alipayRootCert.crt``: Alipay's root certificates (a bundle), setting ``ORDERS_ALIPAY_ROOT_CERT``.

Each setting holds the file's PEM text or the path of the file. Every request carries ``app_cert_sn`` (the
SN of our certificate) and ``alipay_root_cert_sn`` (the root bundle's SN), both signed with the rest; every
answer names the ``alipay_cert_sn`` it was signed under, which must be the SN of the configured Alipay
certificate (otherwise Alipay rotated its certificate: the answer cannot be verified until the new file is
configured).

The SN is Alipay's own algorithm (its SDKs: ``AlipaySignature.getCertSN`` and the Python SDKs' ``get_cert_sn``):
the MD5 (hex) of the issuer's distinguished name as RFC 2253 writes it (most specific first:
``CN=…,OU=…,O=…,C=…``) followed by the decimal serial number. A file holding a chain is read by its first
certificate. The root SN joins with ``_`` the SNs of the bundle's certificates signed with RSA (the bundle
also holds an SM2 root, which RSA2 does not use).
"""

import hashlib
from dataclasses import dataclass
from functools import lru_cache

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.x509.oid import SignatureAlgorithmOID
from django.conf import settings

from platform_core.pem import pem_text

#: the signature algorithms whose root certificates count in ``alipay_root_cert_sn``
RSA_SIGNED = frozenset(
    {
        SignatureAlgorithmOID.RSA_WITH_MD5,
        SignatureAlgorithmOID.RSA_WITH_SHA1,
        SignatureAlgorithmOID.RSA_WITH_SHA224,
        SignatureAlgorithmOID.RSA_WITH_SHA256,
        SignatureAlgorithmOID.RSA_WITH_SHA384,
        SignatureAlgorithmOID.RSA_WITH_SHA512,
    }
)


def certificates(pem: str) -> list[x509.Certificate]:
    return x509.load_pem_x509_certificates(pem.encode("ascii"))


def cert_sn(certificate: x509.Certificate) -> str:
    """Alipay's SN of a certificate: md5(issuer DN (RFC 2253) + decimal serial number), hex."""
    issuer = certificate.issuer.rfc4514_string()
    return hashlib.md5(f"{issuer}{certificate.serial_number}".encode()).hexdigest()  # noqa: S324 (Alipay's SN)


def root_cert_sn(pem: str) -> str:
    """Alipay's SN of the root bundle: the SNs of its RSA-signed certificates joined by ``_``."""
    return "_".join(cert_sn(c) for c in certificates(pem) if c.signature_algorithm_oid in RSA_SIGNED)


@dataclass(frozen=True)
class CertificateMode:
    app_cert_sn: str
    alipay_root_cert_sn: str
    alipay_cert_sn: str
    alipay_public_key: str  # PEM, from Alipay's certificate


@lru_cache(maxsize=4)
def _mode(app_cert: str, public_cert: str, root_cert: str) -> CertificateMode:
    alipay = certificates(pem_text(public_cert))[0]
    return CertificateMode(
        app_cert_sn=cert_sn(certificates(pem_text(app_cert))[0]),
        alipay_root_cert_sn=root_cert_sn(pem_text(root_cert)),
        alipay_cert_sn=cert_sn(alipay),
        alipay_public_key=alipay.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode(),
    )


def certificate_mode() -> CertificateMode | None:
    """The configured certificate mode, or ``None`` in public-key mode (``ORDERS_ALIPAY_APP_CERT`` empty).
    A certificate that cannot be read raises ``ValueError`` (or ``OSError`` for a missing file)."""
    if not settings.ORDERS_ALIPAY_APP_CERT:
        return None
    return _mode(
        settings.ORDERS_ALIPAY_APP_CERT, settings.ORDERS_ALIPAY_PUBLIC_CERT, settings.ORDERS_ALIPAY_ROOT_CERT
    )


def alipay_public_key() -> str:
    """The key Alipay's answers and notifications are verified with: from Alipay's certificate in
    certificate mode, ``ORDERS_ALIPAY_PUBLIC_KEY`` otherwise."""
    mode = certificate_mode()
    return mode.alipay_public_key if mode is not None else settings.ORDERS_ALIPAY_PUBLIC_KEY
