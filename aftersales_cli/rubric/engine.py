"""The rubric engine: apply a Rubric to Facts and get a Scorecard with reasons and evidence.

Like OpenSSF Scorecard's CheckResult, every criterion gets one frozen result, checked when built
(a score outside 0..max is a bug, not a silent number); totals are computed, never stored.
"""
from __future__ import annotations

import string
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from .. import i18n
from ..errors import RubricError
from .model import Condition, Criterion, Rubric, Text

if TYPE_CHECKING:   # annotations only: metrics imports pandas, which the batch's writer does not need
    from ..metrics import Facts


@dataclass(frozen=True)
class ItemResult:
    id: str
    section: str
    item_no: str
    title: str
    max: int
    score: int
    reasons: tuple[str, ...]
    metrics: dict = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        if not 0 <= self.score <= self.max:
            raise RubricError("err.rubric_score", item=self.id, score=self.score, max=self.max)

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "section": self.section, "title": self.title, "max": self.max,
                "score": self.score, "reasons": list(self.reasons), "metrics": self.metrics}


@dataclass(frozen=True)
class Scorecard:
    city: str
    period: str
    rubric: Rubric
    items: tuple[ItemResult, ...]
    findings_summary: dict[str, int]
    params: dict[str, Any] = field(default_factory=dict, compare=False)
    fixes: tuple[dict[str, Any], ...] = field(default=(), compare=False)   # the fix list (rubric/fixes.py)

    @property
    def sections(self) -> list[dict[str, Any]]:
        out = []
        for s in self.rubric.sections:
            score = 0
            for item in s.items:
                ids = {c.id for c in item.criteria}
                score += min(item.max, sum(r.score for r in self.items if r.id in ids))
            out.append({"title": s.title, "max": s.max, "score": score})
        return out

    @property
    def total(self) -> int:
        return sum(s["score"] for s in self.sections)

    @property
    def max(self) -> int:
        return self.rubric.max

    @property
    def percent(self) -> float:
        return percent(self.total, self.max)

    def item(self, id: str) -> ItemResult:
        return next(r for r in self.items if r.id == id)

    def to_dict(self) -> dict[str, Any]:
        return {"city": self.city, "period": self.period,
                "rubric": {"name": self.rubric.name, "version": self.rubric.version, "max": self.max},
                "total": self.total, "max": self.max, "percent": self.percent,
                "sections": self.sections, "items": [r.to_dict() for r in self.items],
                "findings_summary": self.findings_summary, "fixes": list(self.fixes)}


def percent(total: int, maximum: int) -> float:
    """Rounded half-up to one decimal (91.05 → 91.1), never banker's rounding."""
    if not maximum:
        return 0.0
    value = (Decimal(total) * 100 / Decimal(maximum)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return float(value)


def exact(value: Any) -> Any:
    """Numbers as exact Fractions: YAML floats through their text (Fraction(0.8) > 4/5)."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, float):
        return Fraction(str(value))
    if isinstance(value, (int, Fraction)):
        return Fraction(value)
    return value


class _Formatter(string.Formatter):
    """Fills reason templates: plain names only, Fractions as floats, {zh,en} texts by language."""

    def __init__(self, lang: str) -> None:
        self.lang = lang

    def get_field(self, field_name, args, kwargs):
        if not field_name.isidentifier():
            return "", field_name
        return kwargs.get(field_name), field_name

    def format_field(self, value: Any, spec: str) -> str:
        if value is None:
            return "—"
        if isinstance(value, dict) and "zh" in value:
            value = value.get(self.lang, value["zh"])
        if isinstance(value, Fraction):
            value = float(value)
        counted = i18n.plural(value, spec)
        if counted is not None:
            return counted
        try:
            return format(value, spec)
        except (ValueError, TypeError):
            return str(value)


def render(text: Text, lang: str, values: dict[str, Any]) -> str:
    try:
        return _Formatter(lang).vformat(text.get(lang), (), values)
    except (ValueError, IndexError, KeyError):
        return text.get(lang)


def holds(cond: Condition, facts: Facts, params: dict[str, Any]) -> bool:
    if cond.kind == "metric":
        op, ref = cond.op
        value = exact(facts.metrics.get(cond.metric))
        target = exact(params.get(ref)) if isinstance(ref, str) and not isinstance(ref, bool) else exact(ref)
        if value is None or target is None:
            return False
        if isinstance(target, bool):
            target = Fraction(int(target))
        try:
            return {"lt": value < target, "le": value <= target, "gt": value > target,
                    "ge": value >= target, "eq": value == target, "ne": value != target}[op]
        except TypeError:
            return False
    if cond.kind == "param":
        value = params.get(cond.param)
        return value == cond.eq if cond.eq is not None else value != cond.ne
    if cond.kind == "dataset":
        return cond.dataset in facts.datasets
    if cond.kind == "checklist":
        return facts.checklist.get(cond.checklist) == "pass"
    if cond.kind == "all":
        return all(holds(c, facts, params) for c in cond.all)
    if cond.kind == "any":
        return any(holds(c, facts, params) for c in cond.any)
    return not holds(cond.not_, facts, params)      # the one kind left: "not"


def _referenced(c: Criterion) -> list[str]:
    """The metrics a criterion reads: shown as its evidence."""
    from ..metrics import METRICS
    names: list[str] = []

    def walk(cond):
        if cond.kind == "metric":
            names.append(cond.metric)
        for sub in cond.all or cond.any or []:
            walk(sub)
        if cond.kind == "not":
            walk(cond.not_)

    texts = []
    for r in c.rules or []:
        if r.when is not None:
            walk(r.when)
        texts.append(r.reason)
    for a in c.all_of or []:
        walk(a.when)
        texts.append(a.fail)
    if c.reason:
        texts.append(c.reason)
    for t in texts:
        names.extend(f for _, f, _, _ in string.Formatter().parse(t.zh) if f and f in METRICS)
    names.extend(c.evidence)
    return list(dict.fromkeys(names))


def _evidence(c: Criterion, facts: Facts, lang: str) -> dict[str, Any]:
    out = {}
    for name in _referenced(c):
        v = facts.metrics.get(name)
        if isinstance(v, Fraction):
            v = round(float(v), 4)
        elif isinstance(v, dict) and "zh" in v:
            v = v.get(lang, v["zh"])
        out[name] = v
    return out


def score_criterion(c: Criterion, facts: Facts, params: dict[str, Any], done: dict[str, ItemResult],
                    lang: str, formats) -> tuple[int, list[str]]:
    values = {**params, **facts.metrics}
    if c.requires is not None and done[c.requires].score == 0:
        return 0, [i18n.text("rubric.requires", lang, id=c.requires)]
    missing = [d for d in c.needs if d not in facts.datasets]
    if c.checklist is not None and "inspection" not in facts.datasets:
        missing.append("inspection")
    if missing:
        sep = i18n.text("metric.list_separator", lang)
        reasons = []
        absent = [formats[d].title.get(lang) for d in missing if d not in facts.empty]
        if absent:
            reasons.append(i18n.text("rubric.missing", lang, titles=sep.join(absent)))
        reasons += [i18n.text("rubric.empty", lang, title=formats[d].title.get(lang)) for d in missing if d in facts.empty]
        return 0, reasons
    if c.checklist is not None:
        reasons, ok = [], True
        for code in c.checklist:
            answer = facts.checklist.get(code)
            key = {"pass": "rubric.checklist_yes", "fail": "rubric.checklist_no",
                   None: "rubric.checklist_absent"}.get(answer, "rubric.checklist_invalid")
            ok = ok and answer == "pass"
            reasons.append(i18n.text(key, lang, code=code))
        return (c.max if ok else 0), reasons
    if c.rules is not None:
        for r in c.rules:
            if r.when is None or holds(r.when, facts, params):
                return r.points, [render(r.reason, lang, values)]
        return 0, [i18n.text("rubric.no_rule", lang)]
    failed = [render(a.fail, lang, values) for a in c.all_of if not holds(a.when, facts, params)]
    if failed:
        return 0, failed
    return c.points, [render(c.reason, lang, values)]


def score(rubric: Rubric, facts: Facts, city: str, period: str, findings_summary: dict[str, int],
          lang: str, formats, findings=()) -> Scorecard:
    """Every criterion of the rubric scored from the facts (rubric.md); `formats` name the
    datasets a criterion lacks; `findings` (the run's Finding list) fill the fix list's cells
    (fixes.md §1)."""
    from .fixes import fix_list

    params = facts.params
    done: dict[str, ItemResult] = {}
    for section, item, c in rubric.criteria():
        points, reasons = score_criterion(c, facts, params, done, lang, formats)
        done[c.id] = ItemResult(id=c.id, section=section.title, item_no=str(item.seq), title=item.title,
                                max=c.max, score=points, reasons=tuple(reasons),
                                metrics=_evidence(c, facts, lang))
    return Scorecard(city=city, period=period, rubric=rubric, items=tuple(done.values()),
                     findings_summary=findings_summary, params=params,
                     fixes=fix_list(rubric, facts, done, findings, lang, formats))
