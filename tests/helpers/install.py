"""Issue 21's install-from-zero tests: the operator's authenticator app and a browser's form submission."""

import io
import time
from base64 import b32decode
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlparse

from django_otp.oath import TOTP


class Authenticator:
    """The operator's phone app: the key from the otpauth URI, a code per 30-second step."""

    def __init__(self, uri: str) -> None:
        self.key = b32decode(parse_qs(urlparse(uri).query)["secret"][0])

    def code(self) -> str:
        totp = TOTP(self.key, step=30, t0=0, digits=6, drift=0)
        totp.time = time.time()
        return f"{totp.token():06d}"


class FormValues(HTMLParser):
    """What a browser would submit from the admin's change form (inline management forms included)."""

    def __init__(self, form_id: str) -> None:
        super().__init__()
        self.form_id, self.inside, self.values = form_id, False, {}  # type: ignore[var-annotated]
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "form":
            self.inside = a.get("id") == self.form_id
        if not self.inside or not a.get("name"):
            return
        name = a["name"] or ""
        if tag == "input" and a.get("type") not in ("submit", "button", "file", "checkbox", "radio"):
            self.values[name] = a.get("value") or ""
        elif tag == "input" and a.get("type") in ("checkbox", "radio") and "checked" in a:
            self.values[name] = a.get("value") or "on"
        elif tag == "select":
            self._select = name
        elif tag == "textarea":
            self._textarea, self.values[name] = name, ""

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self.values[self._textarea] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.inside = False
        if tag == "select":
            self._select = None
        if tag == "textarea":
            self._textarea = None


def png_bytes(width: int = 64, height: int = 48) -> bytes:
    """A real PNG picture, as a seller's camera would upload one (the listing form checks the content)."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (200, 120, 40)).save(buffer, format="PNG")
    return buffer.getvalue()
