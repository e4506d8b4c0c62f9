"""Hooks: how one app plugs into another without the lower app importing the upper one.

A hook is **declared** — typed and documented — in the module that fires it, next to the loop that
calls it, so a reader following the code sees the contract where it is used::

    # orders/services/payments.py
    order_paid = Hook[Callable[[Order], object]](
        "orders.order_paid", doc="ORD-9: ... called with the locked order in the payment's transaction"
    )
    ...
    for handler in order_paid:
        handler(order)

Every **registration** lives in the registering app's ``hooks.py``, imported at start-up (in
``INSTALLED_APPS`` order) by ``PlatformCoreConfig.ready`` — the only place an app plugs into another::

    # fieldwork/hooks.py
    from fieldwork.services import assignment_open_for_paid_order
    from orders.services.payments import order_paid

    order_paid.register(assignment_open_for_paid_order)

So ``grep -rn "order_paid.register"`` finds every implementation, and ``manage.py hooks`` lists every
hook, its signature, its documentation and who is registered, in firing order.

Registering is idempotent (the same callable twice is kept once) and the firing order is the
registration order: app by app in ``INSTALLED_APPS`` order, then in the order of that app's
``hooks.py``. Deadline rules (``deadlines.py``), reports (``reports.py``) and work queues (``queues.py``)
keep their own decorator registries, found by file name the same way.
"""

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Generic, TypeVar, cast

F = TypeVar("F", bound=Callable[..., Any])

_HOOKS: dict[str, "Hook[Any]"] = {}


@dataclass(frozen=True)
class Registration:
    function: Callable[..., Any]
    registered_in: str  # the module that registered it (normally ``<app>.hooks``)

    @property
    def qualified_name(self) -> str:
        module = getattr(self.function, "__module__", "?")
        name = getattr(self.function, "__qualname__", None) or repr(self.function)
        return f"{module}.{name}"


class Hook(Generic[F]):
    """A typed extension point. Declare it subscripted, ``Hook[<callable type>]("<app>.<what>", doc=...)``
    (the subscript is the signature ``manage.py hooks`` shows), iterate it to fire it."""

    def __init__(self, name: str, *, doc: str) -> None:
        if not name or "." not in name:
            raise ValueError(f"hook names look like '<app>.<what>', got {name!r}")
        if not doc:
            raise ValueError(f"hook {name!r} needs a doc: what it is for, its rule IDs, when it fires")
        self.name = name
        self.doc = doc
        self.declared_in = _caller_module()
        existing = _HOOKS.get(name)
        if existing is not None and existing.declared_in != self.declared_in:
            raise ValueError(f"hook {name!r} is already declared in {existing.declared_in}")
        self._registrations: list[Registration] = []
        _HOOKS[name] = self

    def __repr__(self) -> str:
        return f"<Hook {self.name}: {len(self._registrations)} registered>"

    # --- registering (in ``<app>/hooks.py``) --------------------------------------------------------

    def register(self, function: F) -> F:
        """Add ``function`` (once: registering it again changes nothing). Usable as a decorator."""
        if function not in self:
            self._registrations.append(Registration(function, registered_in=_caller_module()))
        return function

    def unregister(self, function: F) -> None:
        """Remove ``function`` (tests that registered a fake one); a no-op if it is not registered."""
        self._registrations = [r for r in self._registrations if r.function != function]

    @contextmanager
    def registered(self, *functions: F) -> Iterator[None]:
        """Tests: ``with hook.registered(fake):`` adds ``fake`` after the real ones for the block."""
        saved = list(self._registrations)
        try:
            for function in functions:
                self.register(function)
            yield
        finally:
            self._registrations = saved

    @contextmanager
    def replaced(self, *functions: F) -> Iterator[None]:
        """Tests: ``with hook.replaced(fake):`` makes ``fake`` the only registration for the block."""
        saved = list(self._registrations)
        try:
            self._registrations = [Registration(f, registered_in=_caller_module()) for f in functions]
            yield
        finally:
            self._registrations = saved

    # --- firing -------------------------------------------------------------------------------------

    def __iter__(self) -> Iterator[F]:
        """The registered callables in firing order (a copy: registering while firing changes nothing)."""
        return iter([cast(F, registration.function) for registration in self._registrations])

    def __len__(self) -> int:
        return len(self._registrations)

    def __bool__(self) -> bool:
        return bool(self._registrations)

    def __contains__(self, function: object) -> bool:
        return any(registration.function == function for registration in self._registrations)

    # --- describing (``manage.py hooks``) -------------------------------------------------------------

    @property
    def registrations(self) -> list[Registration]:
        return list(self._registrations)

    @property
    def signature(self) -> str:
        """The declared callable type, e.g. ``(Order) -> None``; ``?`` if declared without a subscript."""
        orig = getattr(self, "__orig_class__", None)
        if orig is None:
            return "?"
        (callable_type,) = orig.__args__
        return type_describe(callable_type)


def hooks_all() -> list["Hook[Any]"]:
    """Every declared hook, by name (declared = its module was imported: at start-up, through the apps'
    ``hooks.py`` that register on it)."""
    return [_HOOKS[name] for name in sorted(_HOOKS)]


def hook_get(name: str) -> "Hook[Any]":
    try:
        return _HOOKS[name]
    except KeyError:
        known = ", ".join(sorted(_HOOKS)) or "none"
        raise ValueError(f"unknown hook {name!r}; declared: {known}") from None


def type_describe(tp: Any) -> str:
    """A short, readable form of a callable type: ``(Merchant, datetime, datetime) -> Mapping[str, int]``;
    a ``Protocol`` shows its ``__call__`` signature (keyword names included)."""
    import collections.abc
    import inspect
    import types
    import typing

    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin is collections.abc.Callable:
        params, result = args
        shown = "..." if params is Ellipsis else ", ".join(type_describe(p) for p in params)
        return f"({shown}) -> {type_describe(result)}"
    if origin in (typing.Union, types.UnionType):
        return " | ".join(type_describe(a) for a in args)
    if origin is not None:
        name = getattr(origin, "__name__", repr(origin))
        return f"{name}[{', '.join(type_describe(a) for a in args)}]" if args else name
    if tp is None or tp is type(None):
        return "None"
    if tp is Ellipsis:
        return "..."
    if isinstance(tp, typing.ForwardRef):
        return tp.__forward_arg__
    if isinstance(tp, str):
        return tp
    if tp is Any:
        return "Any"
    if isinstance(tp, type) and getattr(tp, "_is_protocol", False):
        signature = inspect.signature(tp.__call__)
        shown_params: list[str] = []
        star = False
        for param in list(signature.parameters.values())[1:]:  # without self
            text = param.name
            if param.annotation is not inspect.Parameter.empty:
                text += f": {type_describe(param.annotation)}"
            if param.kind is inspect.Parameter.VAR_POSITIONAL:
                text, star = f"*{text}", True
            elif param.kind is inspect.Parameter.VAR_KEYWORD:
                text = f"**{text}"
            elif param.kind is inspect.Parameter.KEYWORD_ONLY and not star:
                shown_params.append("*")
                star = True
            shown_params.append(text)
        return f"({', '.join(shown_params)}) -> {type_describe(signature.return_annotation)}"
    return getattr(tp, "__qualname__", None) or repr(tp)


def _caller_module() -> str:
    """The module that declared the hook or registered on it: the first caller outside this module (and
    outside ``typing``, which calls ``Hook.__init__`` for ``Hook[...](...)``, and ``contextlib``)."""
    frame = sys._getframe(1)
    while frame is not None:
        module = str(frame.f_globals.get("__name__", "?"))
        if module not in (__name__, "typing", "contextlib"):
            return module
        frame = frame.f_back  # type: ignore[assignment]
    return "?"
