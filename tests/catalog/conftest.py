from decimal import Decimal

import pytest

from catalog.models import Category
from merchants.models import Merchant
from platform_core.accounts.models import User
from tests.factories.catalog import CategoryFactory, merchant_for, reviewer


@pytest.fixture
def category(db: None) -> Category:
    return CategoryFactory(deposit_amount=Decimal("500.00"))


@pytest.fixture
def merchant(category: Category) -> Merchant:
    return merchant_for(category)


@pytest.fixture
def staff_reviewer(db: None) -> User:
    return reviewer()
