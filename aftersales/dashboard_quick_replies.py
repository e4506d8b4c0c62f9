"""The merchant dashboard's quick replies page (快捷短语, MSG-1, MSG-2): the shop's own phrases for the
reply form — add, edit, remove, reorder — for the members who answer customers. A shop that never had any
starts with the platform's built-in phrases, shown in the reader's language until edited.

Thin views over ``aftersales.selectors`` / ``aftersales.services.quick_replies``; the reply form of a
conversation (``dashboard_messages``) offers the same list through ``shop_quick_replies``.
"""

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from aftersales.models import QuickReply
from aftersales.selectors import quick_reply_get_for_merchant
from aftersales.services.quick_replies import (
    quick_reply_create,
    quick_reply_delete,
    quick_reply_move,
    quick_reply_update,
    shop_quick_replies,
)
from merchants.dashboard.base import (
    AFTERSALES_ANSWERERS,
    SERVICE_ERRORS,
    merchant_required,
    not_found,
    page,
    run_action,
    shop_object,
    show_error,
)
from merchants.permissions import merchant_for_request
from platform_core.accounts.acting import request_user


class QuickReplyForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=40)
    text = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 3}), max_length=1000)


def _list_page(request: HttpRequest, form: QuickReplyForm | None = None) -> HttpResponse:
    replies = shop_quick_replies(merchant_for_request(request))
    context = {"replies": replies, "form": form or QuickReplyForm(), "last": len(replies)}
    return page(request, "merchant/messages/quick_replies.html", context, status=400 if form else 200)


@merchant_required(AFTERSALES_ANSWERERS)
def quick_replies(request: HttpRequest) -> HttpResponse:
    """MSG-1: the shop's quick replies (GET) and a new one, last in the list (POST)."""
    if request.method != "POST":
        return _list_page(request)
    form = QuickReplyForm(request.POST)
    if form.is_valid():
        try:
            quick_reply_create(
                merchant=merchant_for_request(request), actor=request_user(request), **form.cleaned_data
            )
        except SERVICE_ERRORS as exc:
            show_error(form, exc)
        else:
            messages.success(request, _("Quick reply added."))
            return redirect("merchant:quick-replies")
    return _list_page(request, form)


def _reply_or_none(request: HttpRequest, reply_id: int) -> QuickReply | None:
    return shop_object(request, quick_reply_get_for_merchant, reply_id=reply_id)


@merchant_required(AFTERSALES_ANSWERERS)
def quick_reply_edit(request: HttpRequest, reply_id: int) -> HttpResponse:
    """MSG-1: edit a quick reply's title and text (a built-in one becomes the shop's own)."""
    found = _reply_or_none(request, reply_id)
    if found is None:
        return not_found(request)
    if request.method != "POST":
        form = QuickReplyForm(initial={"title": found.shown_title, "text": found.shown_text})
        return page(request, "merchant/messages/quick_reply_form.html", {"reply": found, "form": form})
    form = QuickReplyForm(request.POST)
    if form.is_valid():
        try:
            quick_reply_update(reply=found, actor=request_user(request), **form.cleaned_data)
        except SERVICE_ERRORS as exc:
            show_error(form, exc)
        else:
            messages.success(request, _("Quick reply saved."))
            return redirect("merchant:quick-replies")
    return page(
        request, "merchant/messages/quick_reply_form.html", {"reply": found, "form": form}, status=400
    )


@merchant_required(AFTERSALES_ANSWERERS)
@require_POST
def quick_reply_delete_view(request: HttpRequest, reply_id: int) -> HttpResponse:
    """MSG-1: remove a quick reply from the list."""
    found = _reply_or_none(request, reply_id)
    if found is None:
        return not_found(request)
    return run_action(
        request,
        lambda: quick_reply_delete(reply=found, actor=request_user(request)),
        success=_("Quick reply removed."),
        redirect_to="merchant:quick-replies",
    )


@merchant_required(AFTERSALES_ANSWERERS)
@require_POST
def quick_reply_move_view(request: HttpRequest, reply_id: int) -> HttpResponse:
    """MSG-1: move a quick reply one place up (``direction=up``) or down the list."""
    found = _reply_or_none(request, reply_id)
    if found is None:
        return not_found(request)
    up = request.POST.get("direction") == "up"
    return run_action(
        request,
        lambda: quick_reply_move(reply=found, up=up, actor=request_user(request)),
        redirect_to="merchant:quick-replies",
    )
