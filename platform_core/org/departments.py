"""The platform's departments (STF-1) as every chapter names them, and who heads one.

The ``Department`` rows (name, head, members) belong to the staff chapter; chapters below it (merchants,
after-sales, disputes, field work) only need a department's code and its head, to put overdue work
before that person. They ask here; staff answers through ``department_head_resolvers``
(``staff/hooks.py``).
"""

from typing import Protocol

from django.db import models
from django.utils.translation import gettext_lazy as _

from platform_core.accounts.models import User
from platform_core.hooks import Hook


class DepartmentCode(models.TextChoices):
    """STF-1: the departments (``staff.models.Department.Code`` is this enum)."""

    OPERATIONS = "operations", _("Operations")
    CUSTOMER_SERVICE = "customer_service", _("Customer service")
    FINANCE = "finance", _("Finance")
    TECHNOLOGY = "technology", _("Technology")
    HR = "hr", _("Human resources")
    MARKETING = "marketing", _("Marketing")
    ARBITRATION = "arbitration", _("Arbitration committee")
    COMPLIANCE = "compliance", _("Compliance")


class DepartmentHeadResolver(Protocol):
    def __call__(self, *, code: str) -> User | None: ...


department_head_resolvers = Hook[DepartmentHeadResolver](
    "org.department_head",
    doc=(
        "STF-1: who heads the department `code` (a DepartmentCode): the active head, or None if none is "
        "set. The first answer that is not None wins; with nobody registered there is no head."
    ),
)


def department_head(*, code: str) -> User | None:
    """STF-1: the active head of the department ``code`` (``DepartmentCode``), or ``None`` if none is set.

    Chapters escalate overdue work to a department head through this (e.g. MER-2: operations; after-sales:
    customer service; disputes: the arbitration committee)."""
    for resolve in department_head_resolvers:
        head = resolve(code=code)
        if head is not None:
            return head
    return None
