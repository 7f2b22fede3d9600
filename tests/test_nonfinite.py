"""A number cell no spreadsheet can hold: `<v>1e999</v>` (another program's overflow) reads as an
infinite float. It is not an amount (CE040, formats.md 金额: a number ≥ 0), and `--format json`
stays JSON: `Infinity` is not JSON (RFC 8259), so such a value is null, as in the JSON files."""
from __future__ import annotations

import json
import zipfile
from pathlib import Path

from typer.testing import CliRunner

from aftersales_cli.cli import app
from aftersales_cli.sample import generate

RUNNER = CliRunner()
PERIOD = "2026-11"


def _strict(text: str):
    """json.loads that refuses NaN / Infinity / -Infinity, as a strict parser does."""
    def refuse(token: str):
        raise ValueError(f"not JSON: {token}")
    return json.loads(text, parse_constant=refuse)


def _report_with_values(root: Path, values: dict[str, str]) -> Path:
    """The generated city's repair report with the raw `<v>` text of some cells replaced (column N
    is 收费金额 in the standard layout); written by zipfile, not by a library that would refuse it."""
    path = root / "杭州市" / PERIOD / "维修日报表.xlsx"
    with zipfile.ZipFile(path) as z:
        items = [(i, z.read(i.filename)) for i in z.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for info, data in items:
            if info.filename == "xl/worksheets/sheet1.xml":
                for ref, text in values.items():
                    start = data.index(f'<c r="{ref}"'.encode())
                    v0 = data.index(b"<v", start)
                    v1 = data.index(b"</c>", v0)
                    data = data[:v0] + f"<v>{text}</v>".encode() + data[v1:]
            z.writestr(info.filename, data)
    return path


def test_an_infinite_amount_is_ce040_and_the_json_stays_json(tmp_path):
    generate(tmp_path, cities=1, orders=6, period=PERIOD, seed=3, city_names=["杭州市"])
    path = _report_with_values(tmp_path, {"N2": "1e999", "N3": "-1e999"})
    result = RUNNER.invoke(app, ["validate", str(path), "--format", "json"])
    assert result.exit_code == 1, result.output
    doc = _strict(result.stdout)
    fee = {(f["cell"], f["code"]) for f in doc["findings"] if f.get("header") == "收费金额"}
    assert fee == {("N2", "CE040"), ("N3", "CE040")}
    for command in ("score", "kpi"):
        out = RUNNER.invoke(app, [command, str(tmp_path / "杭州市"), "--format", "json"])
        assert out.exit_code in (0, 1), out.output
        _strict(out.stdout)
