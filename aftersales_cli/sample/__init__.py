"""`aftersales sample`: realistic, deterministic synthetic submissions (clean, defective or quirky).

    from aftersales_cli.sample import generate, DEFECTS
    generate(Path("out"), cities=3, orders=200, period="2026-11", seed=0, defects=0.05)

`DEFECTS` lists every defect kind with its dataset and the finding code it is expected to raise.
"""
from __future__ import annotations

from .defects import DEFECTS, DEFECTS_BY_ID, DefectKind, defect_kinds
from .generator import LAYOUTS, CityData, build_city, generate, generate_city
from .names import city_names

__all__ = ["DEFECTS", "DEFECTS_BY_ID", "LAYOUTS", "CityData", "DefectKind", "build_city", "city_names",
           "defect_kinds", "generate", "generate_city"]
