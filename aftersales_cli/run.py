"""The run context: what one command reads once and passes down (formats, rubric, parameters,
limits, language), so that `validate` and `score` can never disagree on a rule's parameter or on
the checklist codes.

Parameters of a city are, in order: the rubric's `params` (its defaults), the city's entry in the
`cities.yaml` of the folder above the city folder, then `--params` (cli.md "Batch", "score").
Nothing here repeats a default: every value comes from the rubric or the format YAML.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from .errors import AftersalesError


@dataclass(frozen=True)
class Run:
    """One command's context. `formats`: the checked `formats.model.Formats`; `rubric`: the checked
    `rubric.model.Rubric`; `overrides`: the `--params` values; `lang`: zh | en; `limits`: the reader's
    safety limits; `formats_dir` / `rubric_path`: where they came from (None = shipped), so a batch
    worker process can build the same context; `read_threads`: how many of a month's workbooks are
    read at once (`read.files.open_workbooks`) — 1 in a batch, whose `--jobs` is its share of the
    CPUs, up to 2 in the commands that read one month (`month_threads`)."""
    formats: Any
    rubric: Any
    overrides: dict[str, Any] = field(default_factory=dict)
    lang: str = "zh"
    limits: Any = None
    formats_dir: str | None = None
    rubric_path: str | None = None
    read_threads: int = 1

    @property
    def params(self) -> dict[str, Any]:
        """The rubric's defaults with `--params` applied (no city entry)."""
        return {**self.rubric.params, **self.overrides}

    @property
    def checklist_codes(self) -> tuple[str, ...]:
        """The checklist codes the rubric reads from the inspection sheet (rule checklist_code)."""
        return tuple(self.rubric.checklist)

    def city_params(self, city: str, by_city: dict[str, dict[str, Any]]) -> dict[str, Any]:
        """A city's parameters: rubric defaults, its cities.yaml entry, then `--params`."""
        return {**self.rubric.params, **by_city.get(city, {}), **self.overrides}

    def cities(self, root: Path) -> dict[str, dict[str, Any]]:
        """city → parameter values, from ROOT/cities.yaml (checked against the rubric; {} if absent)."""
        from .cities import CITIES_FILE, load_cities

        return load_cities(Path(root) / CITIES_FILE, self.rubric.params, self.rubric.param_choices)


def build_run(formats_dir: Path | str | None = None, rubric_path: Path | str | None = None,
              params: list[str] | tuple[str, ...] = (), lang: str = "zh", read_threads: int = 1) -> Run:
    """Read and check the formats, the rubric and `--params` KEY=VALUE pairs once.

    Raises AftersalesError (exit 2) for a broken format file or rubric (file and line), an unknown
    or ill-typed parameter, or a format rule naming a parameter (`param:`) the rubric lacks.
    """
    from .cities import parse_overrides
    from .formats import DATASETS, load_formats
    from .read.files import limits_from_env
    from .rubric.loader import load_rubric

    formats = load_formats(formats_dir)
    rubric = load_rubric(Path(rubric_path) if rubric_path else None)
    for name in DATASETS:
        for rule in formats[name].rules:
            wanted = rule.option("param")
            if isinstance(wanted, str) and wanted not in rubric.params:
                raise AftersalesError("err.formats_param", rubric_path or formats_dir or name, dataset=name,
                                      rule=rule.rule, param=wanted, allowed=", ".join(rubric.params))
    overrides = parse_overrides(list(params), rubric.params, rubric.param_choices)
    return Run(formats=formats, rubric=rubric, overrides=overrides, lang=lang, limits=limits_from_env(),
               formats_dir=str(formats_dir) if formats_dir else None,
               rubric_path=str(rubric_path) if rubric_path else None, read_threads=read_threads)


def month_threads() -> int:
    """The threads a command reading one month uses for its workbooks: 2, or 1 on a machine with
    one CPU (README decisions, "Reading a month's workbooks")."""
    return min(2, os.cpu_count() or 1)


@lru_cache(maxsize=1)
def default_run() -> Run:
    """The shipped formats and rubric, no overrides: for library callers that pass no context."""
    return build_run()
