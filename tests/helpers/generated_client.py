"""Issue 24: a Python client generated from the schema at test time (openapi-python-client, offline).

``generate_client(tmp_dir)`` renders ``/api/schema/`` as JSON (drf-spectacular's generator, the same code
the URL runs), generates the package ``marketplace_client`` into ``tmp_dir`` and imports it.
``DjangoTransport`` carries the client's httpx requests to Django's test client — a real request through
URL routing, middleware, authentication and the exception handler, without a server or a network.
"""

import importlib
import json
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import httpx
from django.test import Client as DjangoClient
from django.utils import translation
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer

PACKAGE = "marketplace_client"
GENERATOR = Path(sys.executable).with_name("openapi-python-client")


def generate_client(tmp_dir: Path) -> ModuleType:
    with translation.override("en"):
        schema = SchemaGenerator().get_schema(request=None, public=True)
        rendered = OpenApiJsonRenderer().render(schema, renderer_context={})
    schema_path = tmp_dir / "schema.json"
    schema_path.write_bytes(rendered)
    config = tmp_dir / "config.json"
    config.write_text(json.dumps({"package_name_override": PACKAGE, "post_hooks": []}))
    out = tmp_dir / "generated"
    result = subprocess.run(
        [
            str(GENERATOR),
            "generate",
            "--path",
            str(schema_path),
            "--output-path",
            str(out),
            "--meta",
            "none",
            "--config",
            str(config),
        ],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    package_dir = out.parent / PACKAGE
    if package_dir.exists():
        raise AssertionError(f"{package_dir} exists already")
    out.rename(package_dir)  # --meta none writes the package's contents into the output path
    sys.path.insert(0, str(tmp_dir))
    importlib.invalidate_caches()
    return importlib.import_module(PACKAGE)


class DjangoTransport(httpx.BaseTransport):
    """httpx → Django's test client, and the answer back (status, headers, body)."""

    def __init__(self) -> None:
        self.django = DjangoClient()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        body = request.read()
        headers = {k: v for k, v in request.headers.items() if k.lower() not in ("host", "content-length")}
        content_type = headers.pop("content-type", "application/octet-stream")
        path = request.url.raw_path.decode()
        response = self.django.generic(
            request.method, path, data=body, content_type=content_type, headers=headers
        )
        return httpx.Response(
            status_code=response.status_code,
            headers=list(response.items()),
            content=response.content,
            request=request,
        )
