"""The merchant dashboard's messages pages (MSG-1, MSG-2): the shop's pre-sale and order conversations,
those whose 24-hour reply clock runs out first on top, and a conversation with its messages and the
reply form (quick replies, images).

Thin views over ``aftersales.selectors`` / ``aftersales.services.conversations`` — the calls
``/api/v1/merchant/conversations/`` makes. The customer's words are shown with phone numbers and
addresses masked exactly as the API shows them (``message_text_for``); images open through the API's
file route, which checks the viewer (SEC-4). Quick replies are the shop's own, kept on the quick
replies page (``dashboard_quick_replies``; seeded with the platform's built-in phrases, decision 044).
"""

from typing import Any

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from aftersales.models import Conversation, QuickReply
from aftersales.selectors import (
    conversation_get_for_merchant,
    conversation_list_for_merchant,
    conversation_messages,
    message_text_for,
)
from aftersales.services.conversations import conversation_mark_read, message_post
from aftersales.services.quick_replies import shop_quick_replies
from merchants.dashboard.base import (
    AFTERSALES_ANSWERERS,
    SERVICE_ERRORS,
    MultipleFileField,
    countdown,
    merchant_required,
    not_found,
    page,
    shop_object,
    show_error,
)
from merchants.permissions import merchant_for_request
from platform_core.accounts.acting import request_user

PAGE_SIZE = 20
MESSAGE_PAGE_SIZE = 50
#: who answers customers' messages: the roles the merchant conversations API admits (MerchantResponder)
MESSAGE_ANSWERERS = AFTERSALES_ANSWERERS

#: The list's filter tabs: name -> label.
FILTERS: dict[str, Any] = {
    "awaiting": _("Waiting for your answer"),
    "presale": _("Pre-sale questions"),
    "order": _("About orders"),
    "all": _("All"),
}


class QuickReplySelect(forms.Select):
    """The quick replies as options; each carries its text (``data-text``), which ``inbox.js`` puts in
    the answer when chosen."""

    def __init__(self, *args: Any, texts: dict[str, str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.texts = texts or {}

    def create_option(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        option: dict[str, Any] = super().create_option(*args, **kwargs)
        text = self.texts.get(str(option["value"]))
        if text:
            option["attrs"]["data-text"] = text
        return option


class ReplyForm(forms.Form):
    quick_reply = forms.ChoiceField(
        label=_("Quick reply"),
        required=False,
        help_text=_("Choosing a quick reply fills in the text; with no text typed it is sent as it is."),
    )
    text = forms.CharField(
        label=_("Your answer"),
        widget=forms.Textarea(attrs={"rows": 3, "data-quick-reply-target": ""}),
        max_length=5000,
        required=False,
    )
    images = MultipleFileField(label=_("Pictures (JPEG, PNG or PDF)"))

    def __init__(self, *args: Any, quick_replies: list[QuickReply], **kwargs: Any) -> None:
        """MSG-1: the shop's own quick replies (``shop_quick_replies``), shown by title, in its order."""
        super().__init__(*args, **kwargs)
        self.quick_texts = {str(reply.pk): reply.shown_text for reply in quick_replies}
        field = self.fields["quick_reply"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", _("(write your own)")), *((str(r.pk), r.shown_title) for r in quick_replies)]
        field.widget = QuickReplySelect(texts=self.quick_texts, choices=field.choices)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not (data.get("text") or "").strip() and data.get("quick_reply"):
            data["text"] = self.quick_texts[data["quick_reply"]]
        return data


def _awaiting_filter(queryset: Any, current: str) -> Any:
    if current == "awaiting":
        return queryset.filter(status=Conversation.Status.OPEN, reply_due_at__isnull=False)
    if current in (Conversation.Kind.PRESALE, Conversation.Kind.ORDER):
        return queryset.filter(kind=current)
    return queryset


@merchant_required(MESSAGE_ANSWERERS)
def conversations(request: HttpRequest) -> HttpResponse:
    """MSG-1, MSG-2: the shop's conversations, the one whose reply is due first on top, with the time
    left on the 24-hour clock and the number of unread customer messages."""
    current = request.GET.get("filter", "awaiting")
    if current not in FILTERS:
        current = "awaiting"
    queryset = _awaiting_filter(
        conversation_list_for_merchant(merchant=merchant_for_request(request)), current
    )
    conversation_page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page_obj": conversation_page,
        "rows": [(c, countdown(c.reply_due_at)) for c in conversation_page.object_list],
        "filters": list(FILTERS.items()),
        "current": current,
    }
    return page(request, "merchant/messages/list.html", context)


def _conversation_or_none(request: HttpRequest, conversation_id: int) -> Conversation | None:
    return shop_object(request, conversation_get_for_merchant, conversation_id=conversation_id)


def _conversation_page(
    request: HttpRequest, found: Conversation, *, form: ReplyForm | None = None
) -> HttpResponse:
    viewer = request_user(request)
    message_page = Paginator(conversation_messages(conversation=found), MESSAGE_PAGE_SIZE).get_page(
        request.GET.get("page", -1)  # the latest messages first shown; older ones on earlier pages
    )
    context = {
        "conversation": found,
        "page_obj": message_page,
        "rows": [
            (m, message_text_for(m, viewer=viewer), m.sender_id == viewer.pk)
            for m in message_page.object_list
        ],
        "countdown": countdown(found.reply_due_at),
        "may_reply": found.status == Conversation.Status.OPEN,
        "form": form or ReplyForm(quick_replies=shop_quick_replies(merchant_for_request(request))),
    }
    return page(request, "merchant/messages/detail.html", context, status=400 if form else 200)


@merchant_required(MESSAGE_ANSWERERS)
def conversation(request: HttpRequest, conversation_id: int) -> HttpResponse:
    """MSG-1: one conversation, oldest message first, the customer's contact details masked."""
    found = _conversation_or_none(request, conversation_id)
    if found is None:
        return not_found(request)
    return _conversation_page(request, found)


@merchant_required(MESSAGE_ANSWERERS)
@require_POST
def conversation_reply(request: HttpRequest, conversation_id: int) -> HttpResponse:
    """MSG-1, MSG-2: the shop answers (text and/or pictures); the answer meets the 24-hour reply clock
    and the customer's messages count as read."""
    found = _conversation_or_none(request, conversation_id)
    if found is None:
        return not_found(request)
    form = ReplyForm(
        request.POST, request.FILES, quick_replies=shop_quick_replies(merchant_for_request(request))
    )
    if not form.is_valid():
        return _conversation_page(request, found, form=form)
    actor = request_user(request)
    try:
        message_post(
            conversation=found,
            sender=actor,
            text=form.cleaned_data["text"],
            images=form.cleaned_data["images"],
            actor=actor,
        )
        conversation_mark_read(conversation=found, reader=actor)
    except SERVICE_ERRORS as exc:
        show_error(form, exc)
        return _conversation_page(request, found, form=form)
    messages.success(request, _("Answer sent."))
    return redirect("merchant:conversation", conversation_id=found.pk)


@merchant_required(MESSAGE_ANSWERERS)
@require_POST
def conversation_read(request: HttpRequest, conversation_id: int) -> HttpResponse:
    """MSG-1: read receipts: the customer's messages are marked read."""
    found = _conversation_or_none(request, conversation_id)
    if found is None:
        return not_found(request)
    marked = conversation_mark_read(conversation=found, reader=request_user(request))
    messages.success(request, _("%(n)d messages marked read.") % {"n": marked})
    return redirect("merchant:conversation", conversation_id=found.pk)
