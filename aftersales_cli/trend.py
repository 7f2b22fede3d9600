"""HQ over time (trends.md §1): every city × month of a root, scored exactly as `batch` scores it.

`plan_trend` lists the months and one `batch.CityJob` per city-month that has a folder; the jobs
run through `batch.run` (same workers, same result cache); `assemble_trend` turns the rows into
the `trend.json` shape:

    {"months": ["2026-09", ...],
     "rubric": {"name", "version", "max"}, "cities_file": "cities.yaml" | null,
     "cities": [{"city": str,
                 "months": {"2026-10": {"status": "ok" | "missing" | "error", "total", "max",
                                         "percent", "rank", "change", "items": {"1.1": score, ...},
                                         "findings_summary": {...}, "error"?: str}}}]}

`change` is the total's change against the previous month when both are `ok` (else null); cities
are sorted by the latest month's rank, cities without one last by name. Ranks are `batch.rank`'s
(competition ranking per month over the `ok` city-months).
"""
from __future__ import annotations

from collections import Counter
from itertools import pairwise
from pathlib import Path
from typing import Any

from .batch import CityJob, city_folders, kpi_params, rank
from .errors import AftersalesError
from .paths import month_folders, readable
from .period import Period


def plan_trend(root: Path, first: Period | None, last: Period | None, params_by_city: dict[str, dict[str, Any]],
               run, out: Path | None = None) -> tuple[list[str], list[str], list[CityJob], dict[tuple[str, str], int]]:
    """(months, cities, jobs, (city, month) → index into jobs).

    Months: every `YYYY-MM` folder under any city within [first, last]. A city-month without a
    folder has no job (`missing`); a city keeping its workbooks directly in its folder has one job,
    for the latest month only. Raises AftersalesError("trend.no_months") when no month is found.
    """
    folders = city_folders(root, out)
    months_of = {f: month_folders(f) for f in folders}     # each city folder listed once
    lo, hi = first.label if first else "0000-00", last.label if last else "9999-99"
    found = sorted({m.name for f in folders for m in months_of[f] if lo <= m.name <= hi})
    if not found:
        raise AftersalesError("trend.no_months", root)
    latest = found[-1]
    kpi = kpi_params(root, folders, params_by_city, run)     # as batch: the kpi columns are cached with the row
    jobs: list[CityJob] = []
    where: dict[tuple[str, str], int] = {}
    cities = []
    for f in folders:
        city = readable(f.name)
        cities.append(city)
        key = f.name if f.name in params_by_city else city
        params = run.city_params(key, params_by_city)
        own = {m.name: m for m in months_of[f]}
        for month in found:
            folder = own.get(month) if own else (f if month == latest else None)
            if folder is None:
                continue
            where[(city, month)] = len(jobs)
            jobs.append(CityJob(city=city, folder=folder, period=month, params=params, rubric_path=run.rubric_path,
                                lang=run.lang, formats_dir=run.formats_dir, city_root=str(f), kpi=kpi[key]))
    return found, cities, jobs, where


def _cell(row: dict[str, Any] | None) -> dict[str, Any]:
    if row is None:
        return {"status": "missing", "total": None, "max": None, "percent": None, "rank": None, "change": None,
                "items": {}, "findings_summary": {}}
    if row["status"] != "ok":
        return {"status": "error", "total": None, "max": None, "percent": None, "rank": None, "change": None,
                "items": {}, "findings_summary": {}, "error": readable(row.get("error") or "")}
    return {"status": "ok", "total": row["total"], "max": row["max"], "percent": row["percent"], "rank": None,
            "change": None, "items": {i["id"]: i["score"] for i in row["items"]},
            "findings_summary": row["findings_summary"]}


def assemble_trend(months: list[str], cities: list[str], rubric, rows: list[dict[str, Any]],
                   where: dict[tuple[str, str], int], cities_file: str | None = None) -> dict[str, Any]:
    """The trend.json document (module docstring) from `batch.run`'s rows."""
    table = {c: {m: _cell(rows[where[(c, m)]] if (c, m) in where else None) for m in months} for c in cities}
    for m in months:
        ranked = rank([{"city": c, "status": "ok", "total": table[c][m]["total"]}
                       for c in cities if table[c][m]["status"] == "ok"])
        for r in ranked:
            table[r["city"]][m]["rank"] = r["rank"]
    for c in cities:
        for before, now in pairwise(months):
            a, b = table[c][before], table[c][now]
            if a["status"] == b["status"] == "ok":
                b["change"] = b["total"] - a["total"]
    latest = months[-1]
    order = sorted(cities, key=lambda c: (table[c][latest]["rank"] is None, table[c][latest]["rank"] or 0, c))
    return {"months": months,
            "rubric": {"name": rubric.name, "version": rubric.version, "max": rubric.max},
            "cities_file": cities_file,
            "cities": [{"city": c, "months": table[c]} for c in order]}


def overall_change(city: dict[str, Any], months: list[str]) -> float | None:
    """The change of the total from the city's first `ok` month to its last (None: fewer than two)."""
    totals = [city["months"][m]["total"] for m in months if city["months"][m]["status"] == "ok"]
    return totals[-1] - totals[0] if len(totals) >= 2 else None


def has_error(doc: dict[str, Any]) -> bool:
    return any(v["status"] == "error" for c in doc["cities"] for v in c["months"].values())


def network(doc: dict[str, Any]) -> dict[str, list[float | None]]:
    """Per month: the network's average percent over the `ok` city-months ("average")."""
    out = []
    for m in doc["months"]:
        values = [c["months"][m]["percent"] for c in doc["cities"] if c["months"][m]["status"] == "ok"]
        out.append(round(sum(values) / len(values), 1) if values else None)
    return {"average": out}


def item_averages(doc: dict[str, Any], rubric) -> list[dict[str, Any]]:
    """分项趋势: per criterion, the average score over the `ok` cities of each month as a percentage
    of the criterion's max: [{"id", "section", "title", "max", "percent": [per month, None if none]}]."""
    out = []
    for section, item, c in rubric.criteria():
        values = []
        for m in doc["months"]:
            scores = [x["months"][m]["items"].get(c.id) for x in doc["cities"] if x["months"][m]["status"] == "ok"]
            scores = [s for s in scores if s is not None]
            values.append(round(100 * sum(scores) / len(scores) / c.max, 1) if scores and c.max else None)
        out.append({"id": c.id, "section": str(section.title), "title": str(item.title), "max": c.max,
                    "percent": values})
    return out


def full_marks(rows: list[dict[str, Any]], months: list[str], where, cities, rubric) -> dict[str, list]:
    """Per section title: the share (%) of `ok` cities at the section's full marks, per month."""
    titles = [str(s.title) for s in rubric.sections]
    out: dict[str, list] = {t: [] for t in titles}
    for m in months:
        ok = [rows[where[(c, m)]] for c in cities if (c, m) in where and rows[where[(c, m)]]["status"] == "ok"]
        for t in titles:
            if not ok:
                out[t].append(None)
                continue
            full = sum(1 for r in ok for s in r["sections"] if s["title"] == t and s["score"] == s["max"])
            out[t].append(round(100 * full / len(ok), 1))
    return out


def city_changes(rows: list[dict[str, Any]], months: list[str], where, cities) -> list[dict[str, Any]]:
    """城市变化: per city and month (both it and the previous month `ok`), the items whose score
    changed (was → now, the reasons now) and the finding counts per code that changed, marked
    "new" (0 → n) or "fixed" (n → 0); [{"city", "month", "kind": "item" | "code", "what", "was",
    "now", "mark", "reason"}]."""
    out = []
    for c in cities:
        for before, now in pairwise(months):
            if (c, before) not in where or (c, now) not in where:
                continue
            a, b = rows[where[(c, before)]], rows[where[(c, now)]]
            if a["status"] != "ok" or b["status"] != "ok":
                continue
            was = {i["id"]: i for i in a["items"]}
            for item in b["items"]:
                old = was.get(item["id"])
                if old is not None and old["score"] != item["score"]:
                    out.append({"city": c, "month": now, "kind": "item", "what": item["id"], "title": item["title"],
                                "was": old["score"], "now": item["score"], "mark": "",
                                "reason": "；".join(item.get("reasons") or [])})
            then, today = _codes(a), _codes(b)
            for code in sorted(set(then) | set(today)):
                x, y = then.get(code, 0), today.get(code, 0)
                if x != y:
                    out.append({"city": c, "month": now, "kind": "code", "what": code, "title": "", "was": x,
                                "now": y, "mark": "new" if x == 0 else "fixed" if y == 0 else "", "reason": ""})
    return out


def _codes(row: dict[str, Any]) -> Counter:
    return Counter(f["code"] for f in row.get("findings") or ())
