"""SEC-2 in templates: ``{% load masking %}{{ order.shipping_phone|mask_phone }}``."""

from django import template

from platform_core.accounts import masking

register = template.Library()
register.filter("mask_phone", masking.mask_phone)
register.filter("mask_name", masking.mask_name)
