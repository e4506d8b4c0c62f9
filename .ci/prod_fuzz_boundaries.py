"""Hand-written boundary requests for .ci/prod_fuzz.sh (issue 20 item 11): what schemathesis rarely
generates. Each request is sent to the running production server; a 5xx is printed (the script counts 5xx
from the access log). Arguments: base URL, customer token, merchant token, SKU id."""

import json
import sys
import urllib.error
import urllib.request

base, customer, merchant, sku = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]


def say(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def send(method: str, path: str, body: bytes | str, token: str = "", **headers: str) -> int:
    data = body.encode() if isinstance(body, str) else body
    request = urllib.request.Request(base + path, data=data, method=method)  # noqa: S310  (http://127.0.0.1)
    request.add_header("Content-Type", "application/json")
    request.add_header("Host", "127.0.0.1")
    if token:
        request.add_header("Authorization", f"Token {token}")
    for name, value in headers.items():
        request.add_header(name.replace("_", "-"), value)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            status = int(response.status)
    except urllib.error.HTTPError as exc:
        status = exc.code
        if status in (401, 403) or status >= 500:  # say why: a fixture problem or a finding
            say(f"      {exc.read()[:200]!r}")
    except (urllib.error.URLError, OSError) as exc:  # a dropped connection counts as a server error
        say(f"  {method} {path}: connection failed ({exc})")
        return 599
    say(f"  {status} {method} {path}")
    return status


deep = "[" * 5000 + "]" * 5000
cases = [
    ("POST", "/api/v1/auth/login/", deep, ""),
    ("POST", "/api/v1/auth/login/", '{"login": ' + deep + ', "password": "x"}', ""),
    ("POST", "/api/v1/cart/", deep, customer),
    ("POST", "/api/v1/cart/", json.dumps({"sku": int(sku), "quantity": 2**31}), customer),
    ("POST", "/api/v1/cart/", json.dumps({"sku": int(sku), "quantity": 10**12}), customer),
    ("PATCH", f"/api/v1/cart/items/{sku}/", json.dumps({"quantity": 2**31}), customer),
    ("PATCH", f"/api/v1/merchant/skus/{sku}/", '{"price": NaN}', merchant),
    ("PATCH", f"/api/v1/merchant/skus/{sku}/", '{"price": "NaN"}', merchant),
    ("PATCH", f"/api/v1/merchant/skus/{sku}/", '{"price": "Infinity"}', merchant),
    ("PATCH", f"/api/v1/merchant/skus/{sku}/", '{"price": "1e20"}', merchant),
    ("PATCH", f"/api/v1/merchant/skus/{sku}/", '{"price": "99999999999999.99"}', merchant),
    ("PATCH", f"/api/v1/merchant/skus/{sku}/", json.dumps({"stock": 2**31}), merchant),
    ("PATCH", f"/api/v1/merchant/skus/{sku}/", json.dumps({"stock": 10**20}), merchant),
    ("PATCH", f"/api/v1/merchant/skus/{sku}/", json.dumps({"attributes": {"color": "red\u0000"}}), merchant),
    ("GET", "/api/v1/no-such-endpoint/", "", ""),
    ("POST", "/api/v1/payments/sandbox/X1P1/pay/", "{}", customer),
    ("POST", "/api/v1/payments/callbacks/sandbox/", "{}", ""),
    ("POST", "/api/v1/logistics/callbacks/sandbox/", "{}", ""),
]
statuses = [send(method, path, body, token) for method, path, body, token in cases]
say(f"boundary requests: {len(statuses)}, server errors: {sum(s >= 500 for s in statuses)}")
