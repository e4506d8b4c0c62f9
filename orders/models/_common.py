"""What several of the orders models share."""

from typing import Any

MONEY: dict[str, Any] = {"max_digits": 12, "decimal_places": 2}
