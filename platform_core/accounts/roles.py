"""Roles are Django groups, created by a data migration (migrations/0002_roles.py copies this list).

STF-1 names the departments; each gets a staff role. Merchant roles scope what a merchant's members may do.
"""

from django.db import models


class Role(models.TextChoices):
    CUSTOMER = "customer", "顾客 / Customer"
    MERCHANT_OWNER = "merchant_owner", "商家负责人 / Merchant owner"
    MERCHANT_STAFF = "merchant_staff", "商家员工 / Merchant staff"
    STAFF_OPERATIONS = "staff_operations", "运营推广部 / Operations"
    STAFF_CUSTOMER_SERVICE = "staff_customer_service", "客服部 / Customer service"
    STAFF_FINANCE = "staff_finance", "财务部 / Finance"
    STAFF_TECHNOLOGY = "staff_technology", "技术部 / Technology"
    STAFF_HR = "staff_hr", "人力资源部 / Human resources"
    STAFF_MARKETING = "staff_marketing", "市场部 / Marketing"
    STAFF_ARBITRATION = "staff_arbitration", "仲裁委员会 / Arbitration committee"
    STAFF_COMPLIANCE = "staff_compliance", "合规部 / Compliance"
    AUDITOR = "auditor", "审计员 / Auditor"


STAFF_ROLES = frozenset(r for r in Role if r.value.startswith("staff_"))
