"""Issue 21, "What it must show" — a test that installs from zero under production settings, for real: the
platform runs in its own processes under ``DJANGO_ENV=production`` (production settings, every secret a
generated value, no sandbox) on an empty PostgreSQL database this test creates. ``manage.py migrate``,
``manage.py collectstatic`` (as the image's build does), ``manage.py bootstrap_platform``, then gunicorn
with ``gunicorn.conf.py`` on a free port; the test then only speaks HTTP to it, as the operator's browser
and a seller's would behind the TLS-terminating balancer (``X-Forwarded-Proto: https``): TOTP sign-in with
codes computed from the printed otpauth URI, a category, the first agreement, one merchant from sign-up to
a listing on sale (SEC-3, MER-1, MER-2, MER-4, MER-5, CAT-2, CAT-4; decision 042).

The database is read (never written) only to learn the ids a browser would take from the page. The server
is stopped and the database dropped whatever happens. ``tests/security/test_install_from_zero.py`` walks
the same steps in process, with more detail on each.
"""

import base64
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import psycopg2
import pytest
import requests
from django.conf import settings
from django.utils import timezone

from tests.factories.merchants import credit_code, pdf_upload
from tests.helpers.install import Authenticator, FormValues, png_bytes

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.slow,
    pytest.mark.skipif(
        settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql", reason="needs PostgreSQL"
    ),
]

BASE_DIR = Path(settings.BASE_DIR)
ADMIN_EMAIL = "ops@marketplace.example"
ADMIN_PASSWORD = "install-Passw0rd-2026"
SELLER_PHONE = "13912345679"
SELLER_PASSWORD = "a-long-passphrase-42"


def _secret() -> str:
    return secrets.token_urlsafe(36)


def _production_env(database_url: str, var_dir: Path, port: int) -> dict[str, str]:
    """Production settings with every secret generated (the same list ``.ci/run``'s ``check --deploy``
    sets); no REDIS_URL: the cache is per process and Celery's broker a folder under ``var_dir``, so
    nothing of this install reaches a shared Redis."""
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(var_dir),
        "LANG": "C.UTF-8",
        "DJANGO_ENV": "production",
        "DJANGO_SECRET_KEY": _secret(),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": database_url,
        "PLATFORM_VAR_DIR": str(var_dir),
        "MEDIA_ROOT": str(var_dir / "media"),
        "PORT": str(port),
        "WEB_CONCURRENCY": "2",
        "GUNICORN_ACCESS_LOG": "",
        "OPS_METRICS_TOKEN": _secret(),
        "FIELD_ENCRYPTION_KEYS": base64.urlsafe_b64encode(os.urandom(32)).decode(),
        "AUDIT_CHAIN_KEYS": f"install:{_secret()}",
        "ORDERS_ALIPAY_APP_ID": _secret(),
        "ORDERS_ALIPAY_PUBLIC_KEY": _secret(),
        "ORDERS_ALIPAY_APP_PRIVATE_KEY": _secret(),
        "ORDERS_ALIPAY_NOTIFY_URL": "https://marketplace.example/api/v1/payments/callbacks/alipay/",
        "ORDERS_WECHAT_PAY_MCH_ID": _secret(),
        "ORDERS_WECHAT_PAY_APPID": f"wx{_secret()}",
        "ORDERS_WECHAT_PAY_MCH_PRIVATE_KEY": _secret(),
        "ORDERS_WECHAT_PAY_MCH_SERIAL": _secret(),
        "ORDERS_WECHAT_PAY_NOTIFY_URL": "https://marketplace.example/api/v1/payments/callbacks/wechat_pay/",
        "ORDERS_WECHAT_PAY_PLATFORM_PUBLIC_KEY": _secret(),
        "ORDERS_WECHAT_PAY_PLATFORM_SERIAL": _secret(),
        "ORDERS_WECHAT_PAY_APIV3_KEY": _secret(),
        "NOTIFICATIONS_ALIYUN_SMS_ACCESS_KEY_ID": f"LTAI{_secret()}",
        "NOTIFICATIONS_ALIYUN_SMS_ACCESS_KEY_SECRET": _secret(),
        "NOTIFICATIONS_ALIYUN_SMS_SIGN_NAME": "市集",
        "NOTIFICATIONS_ALIYUN_SMS_TEMPLATE": "SMS_100000001",
        "EMAIL_HOST": "smtp.marketplace.example",
    }


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Database:
    """An empty database of its own on the test's PostgreSQL server, dropped afterwards."""

    def __init__(self) -> None:
        conf = settings.DATABASES["default"]
        self.server = {
            "host": conf.get("HOST") or "127.0.0.1",
            "port": conf.get("PORT") or 5432,
            "user": conf.get("USER") or "postgres",
            "password": conf.get("PASSWORD") or "",
        }
        self.name = f"install_{secrets.token_hex(6)}"

    @property
    def url(self) -> str:
        s = self.server
        return f"postgres://{s['user']}:{s['password']}@{s['host']}:{s['port']}/{self.name}"

    def _admin(self, sql: str) -> None:
        connection = psycopg2.connect(dbname="postgres", **self.server)
        connection.autocommit = True
        try:
            with connection.cursor() as cursor:
                cursor.execute(sql)
        finally:
            connection.close()

    def create(self) -> None:
        self._admin(f'CREATE DATABASE "{self.name}"')

    def drop(self) -> None:
        self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')

    def value(self, sql: str, *params: Any) -> Any:
        connection = psycopg2.connect(dbname=self.name, **self.server)
        try:
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                row = cursor.fetchone()
                return None if row is None else row[0]
        finally:
            connection.close()


class Browser:
    """A browser behind the balancer: HTTPS as far as Django knows (``X-Forwarded-Proto``), its cookies
    (Secure ones included) kept and sent back, the CSRF token from the cookie on every POST."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.origin = "https://" + base.split("://", 1)[1]
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, *, status: int, **kwargs: Any) -> requests.Response:
        headers = {
            "X-Forwarded-Proto": "https",
            "Origin": self.origin,
            "Referer": self.origin + path,
            "Accept-Language": "zh-hans",
        }
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if method == "POST" and "csrftoken" in self.cookies:
            headers["X-CSRFToken"] = self.cookies["csrftoken"]
        response = requests.request(
            method, urljoin(self.base, path), headers=headers, allow_redirects=False, timeout=60, **kwargs
        )
        for cookie in response.cookies:
            self.cookies[cookie.name] = cookie.value or ""
        assert response.status_code == status, (method, path, response.status_code, response.text[:3000])
        return response

    def get(self, path: str, status: int = 200) -> requests.Response:
        return self.request("GET", path, status=status)

    def post(self, path: str, data: dict[str, Any], status: int = 302, **kwargs: Any) -> requests.Response:
        return self.request("POST", path, status=status, data=data, **kwargs)

    def form(self, path: str, form_id: str) -> dict[str, str]:
        parser = FormValues(form_id)
        parser.feed(self.get(path).text)
        return dict(parser.values)


def _manage(env: dict[str, str], *args: str, stdin: str = "") -> str:
    done = subprocess.run(  # our own manage.py, fixed arguments
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert done.returncode == 0, f"manage.py {' '.join(args)}:\n{done.stdout[-3000:]}\n{done.stderr[-5000:]}"
    return done.stdout


@pytest.fixture
def production_install() -> Iterator[tuple[dict[str, str], Database, Path]]:
    database = Database()
    var_dir = Path(tempfile.mkdtemp(prefix="install-from-zero-"))
    database.create()
    try:
        yield _production_env(database.url, var_dir, _free_port()), database, var_dir
    finally:
        database.drop()
        shutil.rmtree(var_dir, ignore_errors=True)


def _serve(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    """Gunicorn as the image runs it (``gunicorn -c gunicorn.conf.py platform_core.wsgi``), once it answers."""
    with log.open("wb") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "platform_core.wsgi"],
            cwd=BASE_DIR,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its workers in its own group: stopped together below
        )
    health = f"http://127.0.0.1:{env['PORT']}/healthz"
    deadline = time.monotonic() + 240  # a loaded 2-core machine: the workers import Django after forking
    try:
        while time.monotonic() < deadline and server.poll() is None:
            try:
                if requests.get(health, timeout=20).status_code == 200:
                    return server
            except requests.RequestException:
                pass
            time.sleep(0.5)
    except BaseException:
        _stop(server)
        raise
    _stop(server)
    pytest.fail(f"gunicorn did not start:\n{log.read_text(errors='replace')[-5000:]}")


def _stop(server: subprocess.Popen[bytes]) -> None:
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=10)


def test_sec_3_mer_1_mer_2_mer_4_mer_5_cat_4_install_from_zero_in_a_production_process(
    production_install: tuple[dict[str, str], Database, Path],
) -> None:
    env, db, var_dir = production_install

    # 1. the operator's install: migrate the empty database, collect the static files, bootstrap
    _manage(env, "migrate", "--noinput")
    _manage(env, "collectstatic", "--noinput", "--verbosity", "0")
    printed = _manage(
        env, "bootstrap_platform", "--password-stdin", "--email", ADMIN_EMAIL, "--name", "运营负责人",
        stdin=ADMIN_PASSWORD + "\n",
    )  # fmt: skip
    uri = re.search(r"otpauth URI: (\S+)", printed).group(1)  # type: ignore[union-attr]
    phone = Authenticator(uri)

    server = _serve(env, var_dir / "gunicorn.log")
    try:
        base = f"http://127.0.0.1:{env['PORT']}"
        assert requests.get(base + "/admin/", timeout=10, allow_redirects=False).status_code == 301  # HTTPS

        # 2. the administrator signs in with the code of the app that scanned the enrolment
        admin = Browser(base)
        admin.get("/admin/login/")
        page = admin.post("/admin/login/", {"username": ADMIN_EMAIL, "password": ADMIN_PASSWORD}, status=200)
        device = re.search(r'<option value="(otp_totp[^"]+)"', page.text).group(1)  # type: ignore[union-attr]
        admin.post(
            "/admin/login/",
            {"username": ADMIN_EMAIL, "password": ADMIN_PASSWORD, "otp_device": device, "otp_token": phone.code()},
        )  # fmt: skip
        assert 'id="content-main"' in admin.get("/admin/").text  # signed in with the second factor

        # 3. a category, 4. the first agreement in force at once
        admin.post(
            "/admin/catalog/category/add/",
            {
                "name": "家居日用",
                "name_en": "Home",
                "slug": "home",
                "parent": "",
                "deposit_amount": "1000.00",
                "commission_rate": "0.0500",
                "required_listing_fields": ["images"],
            },
        )
        category = db.value("SELECT id FROM catalog_category WHERE slug = %s", "home")
        now = timezone.localtime()
        admin.post(
            "/admin/merchants/platformagreement/add/",
            {
                "version": "1.0",
                "title": "平台服务协议",
                "body": "商品质量、售后与责任条款。",
                "effective_at_0": now.strftime("%Y-%m-%d"),
                "effective_at_1": now.strftime("%H:%M:%S"),
            },
        )

        # 5. a seller signs up and applies in the seller centre
        seller = Browser(base)
        seller.get("/merchant/register/")
        seller.post(
            "/merchant/register/", {"name": "赵六", "phone": SELLER_PHONE, "email": "", "password": SELLER_PASSWORD}
        )  # fmt: skip
        seller.get("/merchant/login/")
        seller.post("/merchant/login/", {"username": SELLER_PHONE, "password": SELLER_PASSWORD})
        code = credit_code(930001)
        seller.post(
            "/merchant/onboarding/application/",
            {
                "shop_name": "赵六家居",
                "legal_name": "赵六家居有限公司",
                "credit_code": code,
                "legal_representative": "赵六",
                "registered_address": "上海市浦东新区世纪大道1号",
                "contact_phone": SELLER_PHONE,
                "contact_email": "shop@example.com",
                "categories": [category],
            },
        )
        today = timezone.localdate()
        licence = pdf_upload().read()
        for kind in ("business_licence", "tax_registration"):
            seller.post(
                "/merchant/onboarding/documents/",
                {
                    "kind": kind,
                    "number": f"NO-{kind}",
                    "issuer": "上海市市场监督管理局",
                    "valid_from": (today - timedelta(days=30)).isoformat(),
                    "valid_until": "",
                },
                files={"file": ("licence.pdf", licence, "application/pdf")},
            )
        seller.post("/merchant/onboarding/submit/", {})
        application = db.value("SELECT id FROM merchants_merchantapplication WHERE credit_code = %s", code)
        assert db.value("SELECT status FROM merchants_merchantapplication WHERE id = %s", application) == (
            "submitted"
        )

        # 6. the administrator reviews and approves it
        change = f"/admin/merchants/merchantapplication/{application}/change/"
        admin.post(
            change, {**admin.form(change, "merchantapplication_form"), "_fsm_transition_to": "start_review"}
        )
        admin.post(
            f"/admin/merchants/merchantapplication/{application}/transition/approve/", {"reason": "资料齐全"}
        )
        merchant = db.value(
            "SELECT merchant_id FROM merchants_merchantapplication WHERE id = %s", application
        )
        assert merchant is not None

        # 7. the seller accepts the agreement; finance records the deposit paid by bank transfer
        seller.post("/merchant/agreement/", {})
        admin.post(
            f"/admin/merchants/merchant/{merchant}/deposit/",
            {"amount": "1000.00", "payment_reference": "BANK-20261207-001"},
        )
        assert db.value("SELECT status FROM merchants_merchant WHERE id = %s", merchant) == "active"

        # 8. the seller's listing, submitted, approved from the review queue: on sale
        seller.post(
            "/merchant/listings/new/",
            {
                "category": category,
                "kind": "product",
                "title": "纯棉毛巾三条装",
                "description": "新疆长绒棉，吸水柔软。",
                "newimg-alt": "毛巾三条装",
                "skus-TOTAL_FORMS": 1,
                "skus-INITIAL_FORMS": 0,
                "skus-MIN_NUM_FORMS": 0,
                "skus-MAX_NUM_FORMS": 20,
                "skus-0-code": "WHT",
                "skus-0-attributes": "颜色=白",
                "skus-0-price": "39.90",
                "skus-0-stock": "100",
            },
            # the category requires a picture: uploaded with the form (decision 043)
            files={"newimg-uploads": ("towel.png", png_bytes(), "image/png")},
        )
        listing = db.value("SELECT id FROM catalog_listing WHERE merchant_id = %s", merchant)
        seller.post(f"/merchant/listings/{listing}/submit/", {})
        version = db.value("SELECT candidate_version_id FROM catalog_listing WHERE id = %s", listing)
        admin.post(
            "/admin/catalog/listingreview/",
            {"action": "approve_selected", "_selected_action": [version], "reason": "合规"},
        )
        assert db.value("SELECT on_sale FROM catalog_listing WHERE id = %s", listing) is True
        assert str(db.value("SELECT price_min FROM catalog_listing WHERE id = %s", listing)) == "39.90"

        # the audit rows of the operator's steps, by the administrator
        actions = {
            db.value("SELECT count(*) FROM audit_auditentry WHERE action = %s", action)
            for action in (
                "platform.bootstrapped",
                "catalog.category_created",
                "merchant.agreement_published",
            )
        }
        assert 0 not in actions
    finally:
        _stop(server)
    assert server.returncode is not None
