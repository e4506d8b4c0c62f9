"""The outcome of one end-of-run check (OPS-1): passed, failed with examples, or skipped with a reason."""

from dataclasses import dataclass

PASSED, FAILED, SKIPPED = "passed", "failed", "skipped"
EXAMPLES = 5


@dataclass(frozen=True)
class CheckResult:
    name: str
    rule: str
    status: str
    detail: str


def check_result(name: str, rule: str, problems: list[str], ok_detail: str) -> CheckResult:
    if not problems:
        return CheckResult(name, rule, PASSED, ok_detail)
    shown = "; ".join(problems[:EXAMPLES])
    more = f" (and {len(problems) - EXAMPLES} more)" if len(problems) > EXAMPLES else ""
    return CheckResult(name, rule, FAILED, f"{len(problems)} problem(s): {shown}{more}")
