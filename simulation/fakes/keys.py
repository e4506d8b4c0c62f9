"""RSA key pairs and certificates for the fake gateways and for the merchant side that talks to them."""

import base64
import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.x509.oid import NameOID, SignatureAlgorithmOID


@dataclass
class KeyPair:
    key: rsa.RSAPrivateKey

    @classmethod
    def generate(cls) -> "KeyPair":
        return cls(rsa.generate_private_key(public_exponent=65537, key_size=2048))

    @property
    def private_pem(self) -> str:
        return self.key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ).decode()

    @property
    def public_pem(self) -> str:
        return (
            self.key.public_key()
            .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
            .decode()
        )

    def sign(self, message: bytes) -> str:
        return base64.b64encode(self.key.sign(message, padding.PKCS1v15(), hashes.SHA256())).decode()

    def certificate(self, serial: int, *, days: int = 365) -> str:
        """A self-signed certificate (PEM) of this key with ``serial`` (WeChat Pay's platform certificate)."""
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Fake Tenpay")])
        now = datetime.now(UTC)
        certificate = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(self.key.public_key())
            .serial_number(serial)
            .not_valid_before(now - timedelta(days=1))
            .not_valid_after(now + timedelta(days=days))
            .sign(self.key, hashes.SHA256())
        )
        return certificate.public_bytes(serialization.Encoding.PEM).decode()


def verify(public_pem: str, message: bytes, signature_b64: str) -> bool:
    key = serialization.load_pem_public_key(public_pem.encode())
    assert isinstance(key, rsa.RSAPublicKey)
    try:
        key.verify(base64.b64decode(signature_b64), message, padding.PKCS1v15(), hashes.SHA256())
    except (InvalidSignature, ValueError):
        return False
    return True


# --- Alipay's certificate mode (公钥证书模式) ------------------------------------------------------------

#: the DN attribute names as Java's ``X500Principal.getName()`` writes them (what Alipay's SN hashes)
_SHORT = {NameOID.COMMON_NAME: "CN", NameOID.ORGANIZATIONAL_UNIT_NAME: "OU", NameOID.ORGANIZATION_NAME: "O",
          NameOID.COUNTRY_NAME: "C", NameOID.LOCALITY_NAME: "L", NameOID.STATE_OR_PROVINCE_NAME: "ST"}  # fmt: skip


def _name(**parts: str) -> x509.Name:
    oids = {"C": NameOID.COUNTRY_NAME, "O": NameOID.ORGANIZATION_NAME, "OU": NameOID.ORGANIZATIONAL_UNIT_NAME,
            "CN": NameOID.COMMON_NAME}  # fmt: skip
    return x509.Name([x509.NameAttribute(oids[key], value) for key, value in parts.items()])


def alipay_sn(certificate_pem: str) -> str:
    """Alipay's certificate SN, as its gateway computes it: md5 of the issuer DN — the RDNs from the last to
    the first, ``short=value`` joined by ``,`` — followed by the decimal serial number (first certificate of
    the file)."""
    certificate = x509.load_pem_x509_certificates(certificate_pem.encode())[0]
    issuer = ",".join(
        f"{_SHORT.get(attribute.oid, attribute.oid.dotted_string)}={attribute.value}"
        for rdn in reversed(list(certificate.issuer.rdns))
        for attribute in rdn
    )
    return hashlib.md5(f"{issuer}{certificate.serial_number}".encode()).hexdigest()  # noqa: S324


def alipay_root_sn(bundle_pem: str) -> str:
    """The root bundle's SN: the SNs of its RSA-signed certificates, in order, joined by ``_``."""
    rsa_signed = {SignatureAlgorithmOID.RSA_WITH_SHA1, SignatureAlgorithmOID.RSA_WITH_SHA256}
    blocks = [
        b + "-----END CERTIFICATE-----\n" for b in bundle_pem.split("-----END CERTIFICATE-----") if b.strip()
    ]
    return "_".join(
        alipay_sn(block)
        for block in blocks
        if x509.load_pem_x509_certificate(block.encode()).signature_algorithm_oid in rsa_signed
    )


@dataclass
class AlipayCertificates:
    """A test CA in Alipay's shape and the three files of certificate mode: our application's public-key
    certificate (``app_cert``), Alipay's (``alipay_cert``: its leaf, then the intermediate CA) and the root
    bundle (``root_bundle``: the RSA root that issued both, an EC root the RSA2 SN skips, a second RSA root)."""

    app_cert: str
    alipay_cert: str
    root_bundle: str

    @classmethod
    def issue(cls, *, app_key: "KeyPair", alipay_key: "KeyPair", app_id: str) -> "AlipayCertificates":
        now = datetime.now(UTC)

        def build(subject: x509.Name, issuer: x509.Name, public_key: object, signer: object, serial: int,
                  *, ca: bool = False) -> x509.Certificate:  # fmt: skip
            builder = (
                x509.CertificateBuilder()
                .subject_name(subject)
                .issuer_name(issuer)
                .public_key(public_key)  # type: ignore[arg-type]
                .serial_number(serial)
                .not_valid_before(now - timedelta(days=1))
                .not_valid_after(now + timedelta(days=3650 if ca else 365))
                .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
            )
            return builder.sign(signer, hashes.SHA256())  # type: ignore[arg-type]

        def pem(certificate: x509.Certificate) -> str:
            return certificate.public_bytes(serialization.Encoding.PEM).decode()

        root_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        root_name = _name(C="CN", O="Fake Ant Financial", OU="Certification Authority", CN="Fake Root CA R1")
        root = build(
            root_name, root_name, root_key.public_key(), root_key, x509.random_serial_number(), ca=True
        )
        ca_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        ca_name = _name(C="CN", O="Fake Ant Financial", OU="Certification Authority", CN="Fake Class 2 R1")
        ca = build(ca_name, root_name, ca_key.public_key(), root_key, x509.random_serial_number(), ca=True)
        app = build(_name(C="CN", O="Marketplace", OU="Alipay", CN=app_id), ca_name, app_key.key.public_key(),
                    ca_key, x509.random_serial_number())  # fmt: skip
        alipay = build(_name(C="CN", O="Fake Ant Financial", OU="Alipay", CN="支付宝(中国)网络技术有限公司-2088"),
                       ca_name, alipay_key.key.public_key(), ca_key, x509.random_serial_number())  # fmt: skip
        ec_key = ec.generate_private_key(ec.SECP256R1())
        ec_name = _name(C="CN", O="Fake Ant Financial", OU="Certification Authority", CN="Fake Root CA E1")
        ec_root = build(ec_name, ec_name, ec_key.public_key(), ec_key, x509.random_serial_number(), ca=True)
        other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        other_name = _name(C="CN", O="Fake Ant Financial", OU="Certification Authority", CN="Fake Root CA R2")
        other = build(
            other_name, other_name, other_key.public_key(), other_key, x509.random_serial_number(), ca=True
        )
        return cls(
            app_cert=pem(app) + pem(ca),
            alipay_cert=pem(alipay) + pem(ca),
            root_bundle="\n".join([pem(root), pem(ec_root), pem(other)]),
        )

    @property
    def app_cert_sn(self) -> str:
        return alipay_sn(self.app_cert)

    @property
    def alipay_cert_sn(self) -> str:
        return alipay_sn(self.alipay_cert)

    @property
    def root_cert_sn(self) -> str:
        return alipay_root_sn(self.root_bundle)
