"""SEC-2 in templates: ``{% load masking %}{{ order.shipping_phone|mask_phone }}``; MSG-1: the other
party's free text with its contact details masked, ``{{ ev.statement|mask_contact_details }}``."""

from django import template

from platform_core.accounts import contact_masking, masking

register = template.Library()
register.filter("mask_phone", masking.mask_phone)
register.filter("mask_name", masking.mask_name)
register.filter("mask_contact_details", contact_masking.mask_contact_details)
