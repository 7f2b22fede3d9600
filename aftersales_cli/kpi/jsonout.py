"""`kpi --format json`: the keys of kpi.md "Outputs" (ratios as numbers, null for "—")."""
from __future__ import annotations

import datetime as dt
from typing import Any

from .. import i18n
from .compute import Figures, Kpi, days_number, ratio_number, yuan_number


def _figures(f: Figures) -> dict[str, Any]:
    return {
        "orders": f.orders, "completed": f.completed,
        "completion_rate": ratio_number(f.completion_rate), "on_time_rate": ratio_number(f.on_time_rate),
        "mean_days": days_number(f.mean_days), "median_days": days_number(f.median_days),
        "satisfaction_rate": ratio_number(f.satisfaction_rate), "dissatisfied": f.dissatisfied,
        "follow_up_rate": ratio_number(f.follow_up_rate), "repeats": f.repeats,
        "repeat_rate": ratio_number(f.repeat_rate),
        "piece": {t: {"count": p.count, "price": yuan_number(p.price), "amount": yuan_number(p.amount),
                      "repeats": p.repeats} for t, p in f.piece.items()},
        "piece_total": yuan_number(f.piece_total),
    }


def _date(d: dt.date | None) -> str | None:
    return d.isoformat() if d is not None else None


def to_dict(kpi: Kpi, lang: str = "zh") -> dict[str, Any]:
    totals = _figures(kpi.city_totals)
    piece = totals.pop("piece")
    total = totals.pop("piece_total")
    totals.update({"repeats_after_install": kpi.repeats_after_install,
                   "repeat_rate_after_install": ratio_number(kpi.repeat_rate_after_install),
                   "piece": piece, "piece_total": total})
    return {
        "city": kpi.city,
        "period": kpi.period.label,
        "params": kpi.params.to_dict(),
        "city_totals": totals,
        "technicians": [{"tech_id": t, "name": who.get("name"), "category": who.get("category"),
                         "unit": who.get("unit"), **_figures(f)} for t, who, f in kpi.technicians],
        "repeats": [{"order": r.b.order_no, "repeat_of": r.a.order_no, "days": r.days,
                     "charged_to": r.charged_to, "after_install": r.after_install,
                     "service_date": _date(r.b.service_date), "original_completed": _date(r.a.completion_date),
                     "original_period": "previous" if r.a.source == 0 else "report"} for r in kpi.repeats],
        "dissatisfied": [{"order": r.order_no, "tech_id": r.tech_id, "satisfaction": r.satisfaction,
                          "service_date": _date(r.service_date), "customer": r.customer_name,
                          "phone": r.phone, "address": r.address, "model": r.product_model,
                          "fault": r.fault, "action": r.action} for r in kpi.call_list],
        "faults": [{"model": None if f.other else f.model, "fault": i18n.text("kpi.other", lang) if f.other
                    else f.fault, "count": f.count, "share": ratio_number(f.share),
                    "cumulative": ratio_number(f.cumulative)} for f in kpi.faults],
        "parts": kpi.parts,
        "set_aside": [{**finding.to_dict(lang), "figures": figures}
                      for row, figures in kpi.set_aside for finding in row.findings
                      if finding.severity == "error"],
        "notes": [i18n.text(n["key"], lang, **{k: v for k, v in n.items() if k != "key"}) for n in kpi.notes],
    }
