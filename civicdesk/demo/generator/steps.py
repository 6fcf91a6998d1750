"""Planning each case's service calls and placing them in the past (pure: no database)."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from civicdesk.accounts.models import UnitKind
from civicdesk.cases.workflow import Status
from civicdesk.core.deadlines import stage_deadlines
from civicdesk.demo import vocabulary as v
from civicdesk.demo.generator.specs import Spec, Step

# Who works a case at each unit; the district itself has no handler, so a supervisor does.
_HANDLERS: dict[str, list[str]] = {}
for _username, _name, _role, _unit in v.STAFF:
    if _role == "handler":
        _HANDLERS.setdefault(_unit, []).append(_username)
_HANDLERS["district"] = ["supervisor-2"]
_DEPARTMENTS = [code for code, _n, kind, _p in v.UNITS if kind == UnitKind.DEPARTMENT]


def _answer_text(rng: random.Random, spec: Spec, unit_name: str, again: bool = False) -> str:
    if spec.kind == "praise":
        return (
            f"您好！感谢您对{unit_name}的肯定，我们已将您的表扬转达给窗口工作人员，将继续改进服务。"
        )
    action = rng.choice(v.ANSWER_ACTIONS[spec.category])
    if again:
        return f"您好！针对您再次反映的问题，经{unit_name}复查，{action}。{v.ANSWER_CLOSING}"
    return f"{v.ANSWER_OPENING}{unit_name}核实，{action}。{v.ANSWER_CLOSING}"


def _plan_steps(rng: random.Random, now: datetime, spec: Spec, unit_names: dict[str, str]) -> None:
    """The service calls that take this case to its final status, with plausible delays."""
    steps: list[Step] = []
    unit = spec.unit
    handler = rng.choice(_HANDLERS[unit])

    def assign(to: str, hours: float | None = None) -> None:
        actor = rng.choice(["clerk", "clerk", "supervisor", None])
        note = "按分类自动分派" if actor is None else rng.choice(["", "请按时办理", "请核实后答复"])
        if hours is None:
            # Most cases are routed within hours; a few wait for days and miss the deadline.
            hours = rng.uniform(0.2, 20) if rng.random() < 0.93 else rng.uniform(30, 80)
        steps.append(Step("assign", hours, actor, unit=to, text=note))

    def accept(by: str) -> None:
        steps.append(Step("accept", rng.uniform(0.5, 30), by, text=rng.choice(v.ACCEPT_NOTES)))

    def answer(by: str, again: bool = False) -> None:
        # Most answers come within the 15 working days; some take longer.
        hours = rng.uniform(24, 24 * 12) if rng.random() < 0.9 else rng.uniform(300, 600)
        text = _answer_text(rng, spec, unit_names[unit], again=again)
        steps.append(Step("answer", hours, by, text=text))

    def note(by: str) -> None:
        steps.append(Step("note", rng.uniform(1, 48), by, text=rng.choice(v.INTERNAL_NOTES)))

    def work(by: str) -> None:
        """Accept (usually), maybe note, then answer."""
        if rng.random() < 0.85:
            accept(by)
        if rng.random() < 0.2:
            note(by)
        answer(by)

    def go_back(wrong: str) -> None:
        by = rng.choice(_HANDLERS[wrong])
        if rng.random() < 0.4:
            accept(by)
        reason = rng.choice(v.RETURN_REASONS).format(unit=unit_names[unit])
        steps.append(Step("return", rng.uniform(1, 24), by, text=reason))

    def wrong_unit() -> str:
        return rng.choice([code for code in _DEPARTMENTS if code != unit])

    status = spec.status
    if status == Status.ASSIGNED:
        assign(unit)
    elif status == Status.IN_PROGRESS:
        assign(unit)
        accept(handler)
        if rng.random() < 0.4:
            note(handler)
    elif status in {Status.ANSWERED, Status.CLOSED, Status.REOPENED}:
        if rng.random() < 0.08:
            wrong = wrong_unit()
            assign(wrong)
            go_back(wrong)
        assign(unit)
        work(handler)
        if status == Status.CLOSED and rng.random() < 0.06:
            steps.append(
                Step("reopen", rng.uniform(12, 24 * 6), None, text=rng.choice(v.REOPEN_REASONS))
            )
            accept(handler)
            answer(handler, again=True)
        if status == Status.CLOSED:
            closer = rng.choice(["supervisor", "supervisor-2", None])
            text = "答复后7日内无异议，自动办结" if closer is None else rng.choice(v.CLOSE_NOTES)
            steps.append(Step("close", rng.uniform(24, 24 * 7), closer, text=text))
        elif status == Status.REOPENED:
            by_reporter = rng.random() < 0.75
            steps.append(
                Step(
                    "reopen",
                    rng.uniform(12, 24 * 6),
                    None if by_reporter else "supervisor",
                    text=rng.choice(v.REOPEN_REASONS) if by_reporter else "回访不满意，重新办理",
                )
            )
    elif status == Status.RETURNED:
        wrong = wrong_unit()
        assign(wrong)
        go_back(wrong)
    elif status == Status.MERGED:
        if rng.random() < 0.4:
            assign(unit)
        steps.append(
            Step(
                "merge",
                rng.uniform(0.5, 12),
                rng.choice(["clerk", "supervisor"]),
                text="与此前反映的问题相同，合并办理",
            )
        )
    spec.steps = steps
    _place_in_time(rng, now, spec)


def _place_in_time(rng: random.Random, now: datetime, spec: Spec) -> None:
    """Give each step a time after the previous one, squeezing the plan into the past."""
    room = (now - spec.received_at).total_seconds() / 3600 - 0.1
    total = sum(step.hours for step in spec.steps)
    scale = min(1.0, 0.95 * room / total) if total else 1.0
    moment = spec.received_at
    for step in spec.steps:
        moment += timedelta(hours=step.hours * scale)
        step.at = moment
    if spec.status not in {"received", "assigned", "in_progress", "returned", "reopened"}:
        return
    # An open case past its stage deadline gets escalated by a supervisor a little later.
    deadlines = stage_deadlines(spec.received_at)
    due = deadlines.assign if spec.status in {"received", "returned"} else deadlines.answer
    escalate_at = max(moment, due) + timedelta(hours=rng.uniform(2, 30))
    if escalate_at < now - timedelta(minutes=5) and rng.random() < 0.6:
        spec.steps.append(
            Step(
                "escalate",
                0,
                rng.choice(["supervisor", "supervisor-2"]),
                text=rng.choice(v.ESCALATE_NOTES),
                at=escalate_at,
            )
        )
