"""The fix list (整改清单): for every criterion below its max, the causes that stand between the city
and those points, with what to do, the findings behind each and the points it would bring back
(fixes.md §1 "The fix list").

A cause is one of (fixes.md "Causes"):
- a rule of a first-match list above the first rule worth the max that matches now, or that rule's
  own `when` when it fails; `regain` is the list evaluated again with only that rule (or condition)
  turned round, minus the score now (never below 0);
- a failing requirement of `all_of`, or a checklist code not answered 是: `regain` is the points
  when it is the only one failing, else 0;
- a prerequisite (`requires`), a dataset not submitted or empty, or a condition reading a metric
  no cell edit can change (`cells: false` in metrics/catalogue.yaml): `regain` null, listed last.

Which findings lie behind a cause is data: those of the metrics its condition reads
(`metrics.catalogue.behind`). `fixable` counts those whose code is in fix/fixable.yaml.
"""
from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache
from importlib import resources
from typing import Any

from .. import i18n
from ..metrics.catalogue import behind, cell_editable

#: The JSON keys of one fix-list entry, in order (fixes.md §1 table).
KEYS = ("id", "title", "lost", "cause", "regain", "action", "findings", "fixable")


@lru_cache(maxsize=1)
def fixable_codes() -> frozenset[str]:
    """The finding codes `aftersales fix` corrects by itself (aftersales_cli/fix/fixable.yaml,
    the one list shared with `fix`)."""
    from ..yamlio import load_cached

    text = resources.files("aftersales_cli.fix").joinpath("fixable.yaml").read_text("utf-8")
    return frozenset(str(c) for c in load_cached(text)["fixable_codes"])


def _metrics(cond) -> list[str]:
    """The metrics a condition reads, in order."""
    if cond is None:
        return []
    kind = cond.kind
    if kind == "metric":
        return [cond.metric]
    if kind in ("all", "any"):
        return [m for sub in getattr(cond, kind) for m in _metrics(sub)]
    if kind == "not":
        return _metrics(cond.not_)
    return []


class _Findings:
    """The run's findings, looked up by the metrics behind a cause."""

    def __init__(self, findings) -> None:
        self.by_dataset: dict[str, list] = {}
        for f in sorted(findings, key=lambda f: f.sort_key()):
            self.by_dataset.setdefault(f.dataset, []).append(f)

    def behind(self, metrics: list[str]) -> list:
        out: dict[int, Any] = {}
        for m in metrics:
            for dataset, spec in behind(m).items():
                for f in self.by_dataset.get(dataset, ()):
                    if f.code in spec["codes"] or f.severity in spec["severities"]:
                        out[id(f)] = f
        return sorted(out.values(), key=lambda f: f.sort_key())

    def on_row(self, dataset: str, sheet: str, row: int) -> list:
        return [f for f in self.by_dataset.get(dataset, ()) if f.sheet == sheet and f.row == row]


def _summary(findings, extra_cells: tuple[str, ...] = ()) -> tuple[dict[str, Any], int]:
    """({counts: code → n, cells: every cell as 工作表!A1}, how many `fix` corrects)."""
    counts = Counter(f.code for f in findings)
    cells = list(extra_cells)
    for f in findings:
        if f.cell:
            cells.append(f"{f.sheet}!{f.cell}")
    fixable = sum(n for code, n in counts.items() if code in fixable_codes())
    return {"counts": dict(sorted(counts.items())), "cells": list(dict.fromkeys(cells))}, fixable


def _editable(metrics: list[str]) -> bool:
    return all(cell_editable(m) for m in metrics)


def criterion_fixes(c, item, facts, done: dict, found: _Findings, lang: str, formats,
                    checklist: dict[str, str]) -> list[dict[str, Any]]:
    """The causes of one criterion below its max (`item` is its ItemResult, `done` every
    criterion's, `checklist` the rubric's code → what is inspected), as fix-list entries."""
    from .engine import holds, render

    params = facts.params
    values = {**params, **facts.metrics}
    base = {"id": c.id, "title": item.title, "lost": item.max - item.score}

    def entry(cause: str, regain, action: str, findings=(), cells: tuple[str, ...] = ()) -> dict[str, Any]:
        summary, fixable = _summary(findings, cells)
        return {**base, "cause": cause, "regain": regain, "action": action, "findings": summary,
                "fixable": fixable}

    if c.requires is not None and done[c.requires].score == 0:
        return [entry(i18n.text("rubric.requires", lang, id=c.requires), None,
                      i18n.text("fixes.requires", lang, id=c.requires))]
    missing = [d for d in c.needs if d not in facts.datasets]
    if c.checklist is not None and "inspection" not in facts.datasets and "inspection" not in missing:
        missing.append("inspection")
    if missing:
        out = []
        for d in missing:
            title = formats[d].title.get(lang)
            cause = (i18n.text("rubric.empty", lang, title=title) if d in facts.empty
                     else i18n.text("rubric.missing", lang, titles=title))
            out.append(entry(cause, None, i18n.text("fixes.missing", lang, title=title, dataset=d)))
        return out
    if c.checklist is not None:
        failing = [code for code in c.checklist if facts.checklist.get(code) != "pass"]
        out = []
        for code in failing:
            answer = facts.checklist.get(code)
            key = {"fail": "rubric.checklist_no", None: "rubric.checklist_absent"}.get(answer, "rubric.checklist_invalid")
            cell = facts.checklist_cells.get(code)
            on_row = []
            if cell:
                sheet, _, ref = cell.rpartition("!")
                on_row = found.on_row("inspection", sheet, int(re.sub(r"\D", "", ref)))
            out.append(entry(i18n.text(key, lang, code=code), item.max - item.score if len(failing) == 1 else 0,
                             i18n.text("fixes.checklist", lang, code=code, what=checklist.get(code, "")),
                             on_row, (cell,) if cell else ()))
        return out
    if c.all_of is not None:
        failing = [a for a in c.all_of if not holds(a.when, facts, params)]
        out = []
        for a in failing:
            metrics = _metrics(a.when)
            regain = (c.points - item.score if len(failing) == 1 else 0) if _editable(metrics) else None
            out.append(entry(render(a.fail, lang, values), regain, _action(a, lang, values), found.behind(metrics)))
        return out
    return _rule_fixes(c, item, facts, params, found, lang, values, entry)


def _action(branch, lang: str, values: dict[str, Any]) -> str:
    from .engine import render
    return render(branch.fix, lang, values) if branch.fix is not None else ""


def _rule_fixes(c, item, facts, params, found: _Findings, lang: str, values, entry) -> list[dict[str, Any]]:
    """A first-match list: every rule above the first rule worth the max that matches now, and
    that rule's own `when` when it fails (fixes.md "Causes")."""
    from .engine import holds, render

    rules = c.rules
    now = [r.when is None or holds(r.when, facts, params) for r in rules]
    best = next((i for i, r in enumerate(rules) if r.points >= c.max), None)
    limit = best if best is not None else len(rules)

    def score_with(i: int, value: bool) -> int:
        turned = now[:i] + [value] + now[i + 1:]
        return next((r.points for r, ok in zip(rules, turned) if ok), 0)

    causes: list[tuple[int, str]] = []       # (rule index, cause text)
    for i in range(limit):
        if rules[i].when is not None and now[i]:
            causes.append((i, render(rules[i].reason, lang, values)))
    if best is not None and rules[best].when is not None and not now[best]:
        below = next((r for r, ok in zip(rules[best + 1:], now[best + 1:]) if ok), None)
        text = render(below.reason, lang, values) if below is not None else i18n.text("rubric.no_rule", lang)
        causes.append((best, text))
    out = []
    for i, text in causes:
        metrics = _metrics(rules[i].when)
        regain = max(0, score_with(i, not now[i]) - item.score) if _editable(metrics) else None
        out.append(entry(text, regain, _action(rules[i], lang, values), found.behind(metrics)))
    return out


def sort_key(entry: dict[str, Any], order: int) -> tuple:
    """regain desc (null last), then cells to fix asc, then rubric order (fixes.md §1)."""
    regain = entry["regain"]
    return (regain is None, -(regain or 0), len(entry["findings"]["cells"]), order)


def fix_list(rubric, facts, items: dict, findings, lang: str, formats) -> tuple[dict[str, Any], ...]:
    """The whole fix list of a scorecard (fixes.md §1): entries with the keys of `KEYS`
    (`findings` = {counts: {code: n}, cells: ["维修日报表!F5", …]}; `regain` int or None), sorted."""
    found = _Findings(findings)
    entries: list[tuple[tuple, dict]] = []
    order = 0
    for _, _, c in rubric.criteria():
        item = items[c.id]
        if item.score >= item.max:
            continue
        for e in criterion_fixes(c, item, facts, items, found, lang, formats, rubric.checklist):
            entries.append((sort_key(e, order), e))
            order += 1
    return tuple(e for _, e in sorted(entries, key=lambda p: p[0]))
