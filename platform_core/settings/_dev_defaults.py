"""The development-only values of every secret and signing key (decision 019).

Imported by the settings only outside production (``DJANGO_ENV != "production"``): in production every
secret has no default and must come from the environment. ``platform_core.deploy_checks`` reads this
module too, to refuse a production process whose secret equals one of these published values (they are
in the code, so anyone can sign with them).
"""

#: setting name -> its development default (public: never a production value)
DEV_SECRETS: dict[str, str] = {
    "SECRET_KEY": "dev-only-not-secret-" + "x" * 40,
    "ORDERS_PAYMENT_SANDBOX_KEY": "sandbox-payments-not-secret",
    "ORDERS_LOGISTICS_SANDBOX_KEY": "sandbox-carrier-not-secret",
}

#: the development Fernet key of the field encryption (SEC-2): base64 of "dev-only-not-secret-field-key-00"
DEV_FIELD_ENCRYPTION_KEYS: list[str] = ["ZGV2LW9ubHktbm90LXNlY3JldC1maWVsZC1rZXktMDA="]

#: values that were ever published in this repository as a default secret (docker-compose, docs); a
#: production secret equal to one of them is refused just the same
PUBLISHED_SECRETS: frozenset[str] = frozenset(
    {
        "compose-local-only-not-secret-c8f1e2a7b94d3f6e0a5c7d2b8e1f4a9c",
        "compose-local-only-audit-key-5e0d9b3a71c24f86a1d7",
        "dev-only-audit-chain-key-not-secret",  # settings.AUDIT_CHAIN_DEV_KEY (AUD-1)
        *DEV_SECRETS.values(),
        *DEV_FIELD_ENCRYPTION_KEYS,
    }
)
