"""The registry of deadline rules: rule name -> handler (OPS-1).

An app declares what happens when a clock runs out, in its own ``deadlines.py`` (imported at start-up by
``DeadlinesConfig.ready``)::

    @deadline_rule("orders.ship_by", description="ORD-4: the merchant ships within 72 hours of payment")
    def ship_by_missed(order: Order) -> None:
        ...

The handler receives the subject row, already locked (``select_for_update``), inside the enforcement
transaction. It must not commit, sleep or call the network; queue side effects with ``delay_on_commit``.
If it raises, its writes are rolled back and the deadline is retried later with backoff.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

Handler = Callable[[Any], None]
H = TypeVar("H", bound=Handler)

_RULES: dict[str, "DeadlineRule"] = {}


@dataclass(frozen=True)
class DeadlineRule:
    name: str
    handler: Handler
    description: str
    #: decision 048 (s9): who is told when a calendar change moves a running clock of the rule:
    #: ``parties(subject)`` gives the users (None and repeats are skipped); ``label`` names the clock to them
    parties: Callable[[Any], Iterable[Any]] | None = None
    label: Any = ""


def deadline_rule(
    name: str,
    *,
    description: str = "",
    parties: Callable[[Any], Iterable[Any]] | None = None,
    label: Any = "",
) -> Callable[[H], H]:
    """Register ``handler(subject) -> None`` as what happens when a ``name`` deadline is missed; ``parties``
    and ``label`` (a lazy translation) say who hears that a calendar change moved its due time (decision 048)."""
    if not name or "." not in name:
        raise ValueError(f"deadline rule names look like '<app>.<what>', got {name!r}")

    def register(handler: H) -> H:
        existing = _RULES.get(name)
        if existing is not None and _qualified(existing.handler) != _qualified(handler):
            raise ValueError(
                f"deadline rule {name!r} is already registered by {_qualified(existing.handler)}"
            )
        _RULES[name] = DeadlineRule(
            name=name, handler=handler, description=description, parties=parties, label=label
        )
        return handler

    return register


def rule_get(name: str) -> DeadlineRule:
    """The registered rule, or ``ValueError`` (a typo in a rule name must fail at the call site)."""
    try:
        return _RULES[name]
    except KeyError:
        known = ", ".join(sorted(_RULES)) or "none"
        raise ValueError(f"unknown deadline rule {name!r}; registered: {known}") from None


def rules_all() -> list[DeadlineRule]:
    return [_RULES[name] for name in sorted(_RULES)]


def _qualified(handler: Handler) -> str:
    return f"{getattr(handler, '__module__', '?')}.{getattr(handler, '__qualname__', repr(handler))}"
