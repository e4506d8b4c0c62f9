"""Seed for .ci/prod_fuzz.sh (run under the production settings, on its fresh database): a customer, a
shop with a SKU for sale, and an API token for each, so the fuzzer reaches authenticated endpoints.
Prints one JSON line: {"customer_token", "merchant_token", "customer_boundary_token",
"merchant_boundary_token", "sku"}."""

import json
import os
import sys
from pathlib import Path
from typing import cast

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "platform_core.settings")

import django

django.setup()

from platform_core.accounts.models import User  # noqa: E402
from platform_core.accounts.services import user_token_issue  # noqa: E402
from tests.factories.accounts import CustomerFactory  # noqa: E402
from tests.factories.orders import sku_for_sale  # noqa: E402

sku = sku_for_sale(price="8999.00", stock=50)
customer = cast(User, CustomerFactory())
owner = sku.listing.merchant.owner
# one token per use: a fuzzed logout (or password change) revokes the tokens it is sent with
tokens = {
    "customer_token": user_token_issue(user=customer)[1],
    "merchant_token": user_token_issue(user=owner)[1],
    "customer_boundary_token": user_token_issue(user=customer)[1],
    "merchant_boundary_token": user_token_issue(user=owner)[1],
}
sys.stdout.write(json.dumps({**tokens, "sku": sku.pk}) + "\n")
