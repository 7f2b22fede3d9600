"""Result types that cross layers: what the batch orchestrator hands to report/."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class BatchResult:
    """A batch over many cities (cli.md `batch`).

    `cities`: the scored rows, ranked — dicts with city, rank, total, max, percent, items, findings
    summary and `kpi` (batch.kpi_figures: completion / satisfaction / repeat
    rate, or None) (see batch.score_city_safe); `failed`: rows with city, status "error" and a one-line reason;
    `findings`: every city's findings as dicts (Finding.to_dict plus city); `warnings`: one-line
    notes for the terminal. `rubric` is the Rubric scored against (name, version, max).
    """
    period: str
    rubric: Any
    cities: list[dict[str, Any]]                 # ok rows, ranked
    failed: list[dict[str, Any]]
    findings: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"period": self.period,
                "rubric": {"name": self.rubric.name, "version": self.rubric.version, "max": self.rubric.max},
                "cities": self.cities, "failed": self.failed}
