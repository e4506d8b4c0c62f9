"""PEM settings (keys and certificates of the payment providers): each holds the PEM text itself or the path
of the file that holds it. Read here once for the providers (``orders.payments``) and the deployment check."""

from pathlib import Path


def pem_text(value: str) -> str:
    """A setting's PEM: the text itself, or the content of the file it names."""
    value = value.strip()
    if not value or value.startswith("-----BEGIN"):
        return value
    return Path(value).read_text(encoding="utf-8")
