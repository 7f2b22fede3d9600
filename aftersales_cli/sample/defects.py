"""The defect kinds `aftersales sample --defects RATE` can inject, and how each is injected.

`DEFECTS` is the registry: one `DefectKind` per kind with the dataset it affects and the finding
code the validator is expected to raise for it (`code`; None when the defect changes a score but
is not a finding, e.g. an inspection item answered 否). `also` names codes a kind may bring along
as a necessary consequence (a repair-report part code missing from the parts master is also a
part used but never issued from the ledger).

Each kind is injected into about `RATE` of the dataset's eligible rows, at least one when the rate
is above zero and an eligible row exists. A row may carry several kinds when they touch different
fields (`fields`), so that each defect yields exactly its own finding.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Callable

from ..period import Period
from . import names


@dataclass(frozen=True)
class DefectKind:
    id: str
    dataset: str
    code: str | None            # the finding it is expected to produce; None: only a score changes
    summary: str                # what is wrong, in a few words (documentation and test ids)
    fields: tuple[str, ...] = ()
    also: tuple[str, ...] = ()  # findings that come along with it by necessity
    stage: str = "cell"         # cell: change rows; add: append rows; ledger: while simulating; order: reorder


_K = DefectKind

DEFECTS: tuple[DefectKind, ...] = (
    # --- repair report -----------------------------------------------------------------------
    _K("rr_copied_row", "repair_report", "RR009", "copied row: same date/customer/phone/address/model/fault, new 工单号",
       ("service_date", "tech_id", "tech_name", "customer_name", "phone", "address", "product_model",
        "service_type", "fault", "action", "completion_date", "report_date", "order_no")),
    _K("rr_order_no_repeated", "repair_report", "RR002", "工单号 repeated", ("order_no",)),
    _K("rr_date_outside_period", "repair_report", "RR001", "服务日期 outside the period",
       ("service_date", "completion_date", "report_date")),
    _K("rr_entered_before_service", "repair_report", "RR007", "填报日期 before 服务日期",
       ("service_date", "report_date")),
    _K("rr_late_entry", "repair_report", "RR008", "填报日期 more than one day after 服务日期",
       ("service_date", "report_date")),
    _K("rr_completion_before_service", "repair_report", "RR006", "完工日期 before 服务日期",
       ("service_date", "completion_date", "status")),
    _K("rr_date_nonstandard", "repair_report", "CE021", "服务日期 as text 2026/11/03", ("service_date",)),
    _K("rr_date_impossible", "repair_report", "CE023", "完工日期 that does not exist (2026-11-31)",
       ("completion_date", "status")),
    _K("rr_date_ambiguous", "repair_report", "CE022", "完工日期 written 11/05", ("completion_date", "status")),
    _K("rr_required_missing", "repair_report", "CE001", "a required cell left empty", ("action",)),
    _K("rr_fault_missing", "repair_report", "CE002", "故障描述 empty on a 维修 row", ("fault", "service_type")),
    _K("rr_status_alias", "repair_report", "CE051", "完工状态 written 完成 for 已完成", ("status",)),
    _K("rr_enum_invalid", "repair_report", "CE050", "满意度 not an allowed value", ("satisfaction",)),
    _K("rr_phone_nonstandard", "repair_report", "CE063", "联系电话 with spaces or +86", ("phone",)),
    _K("rr_phone_invalid", "repair_report", "CE062", "联系电话 not a phone number", ("phone",)),
    _K("rr_landline_as_number", "repair_report", "CE064", "landline stored as a number, leading 0 lost",
       ("phone",)),
    _K("rr_qty_with_unit", "repair_report", "CE031", "配件数量 written 2个", ("part_qty", "part_code")),
    _K("rr_qty_fraction", "repair_report", "CE032", "配件数量 with a fraction", ("part_qty", "part_code")),
    _K("rr_money_text", "repair_report", "CE041", "收费金额 written ¥120", ("fee",)),
    _K("rr_technician_unknown", "repair_report", "RR003", "技师工号 not in the roster", ("tech_id", "tech_name")),
    _K("rr_technician_name_mismatch", "repair_report", "RR004", "技师姓名 differs from the roster",
       ("tech_id", "tech_name")),
    _K("rr_part_unknown", "repair_report", "RR005", "使用配件编码 not in the parts master",
       ("part_code", "part_qty"), also=("PL013",)),
    # --- roster --------------------------------------------------------------------------------
    _K("ro_id_repeated", "roster", "RO001", "工号 repeated (a new technician given an existing 工号)",
       stage="add"),
    _K("ro_required_missing", "roster", "CE001", "所属单位 left empty", ("unit",)),
    _K("ro_id_card_check_digit", "roster", "CE071", "身份证号 with a wrong check digit", ("id_card",)),
    _K("ro_id_card_as_number", "roster", "CE073", "18-digit 身份证号 stored as a number", ("id_card",)),
    _K("ro_id_card_15_digit", "roster", "CE074", "old 15-digit 身份证号", ("id_card",)),
    _K("ro_mobile_nonstandard", "roster", "CE061", "手机号 with spaces", ("mobile",)),
    _K("ro_mobile_invalid", "roster", "CE060", "手机号 not a mobile number", ("mobile",)),
    _K("ro_status_inconsistent", "roster", "RO004", "在职状态 离职 without a 离职日期",
       ("status", "leave_date", "update_date")),
    _K("ro_leave_before_hire", "roster", "RO003", "离职日期 before 入职日期",
       ("leave_date", "hire_date", "status", "update_date")),
    _K("ro_date_nonstandard", "roster", "CE021", "入职日期 as text 2019年3月15日", ("hire_date",)),
    _K("ro_enum_alias", "roster", "CE051", "性别 written 男性", ("gender",)),
    # --- parts master --------------------------------------------------------------------------
    _K("pm_code_repeated", "parts_master", "PM001", "配件编码 repeated", stage="add"),
    _K("pm_required_missing", "parts_master", "CE001", "仓位 left empty", ("location",)),
    _K("pm_enum_alias", "parts_master", "CE051", "配件类别 written 电子类", ("category",)),
    _K("pm_int_with_unit", "parts_master", "CE031", "安全库存 written 5个", ("safety_stock",)),
    # --- parts ledger --------------------------------------------------------------------------
    _K("pl_part_unknown", "parts_ledger", "PL004", "a receipt of a part not in the parts master", stage="add"),
    _K("pl_fifo_violation", "parts_ledger", "PL009", "issue from a newer batch while an older one has stock",
       stage="ledger"),
    _K("pl_balance_wrong", "parts_ledger", "PL006", "结存 does not follow from the movements", ("balance",)),
    _K("pl_handler_missing", "parts_ledger", "CE002", "经办人 empty on an issue", ("handler", "type")),
    _K("pl_handler_unknown", "parts_ledger", "PL012", "经办人 of an issue not in the roster", ("handler", "type")),
    _K("pl_order_unknown", "parts_ledger", "PL011", "关联工单号 not in the repair report", ("order_no",)),
    _K("pl_type_alias", "parts_ledger", "CE051", "类型 written 领用 for 出库", ("type",)),
    _K("pl_date_nonstandard", "parts_ledger", "CE021", "日期 as text 2026.11.05", ("date",)),
    _K("pl_part_name_mismatch", "parts_ledger", "PL005", "配件名称 differs from the parts master", ("part_name",)),
    _K("pl_out_of_order", "parts_ledger", "PL008", "a row dated earlier than the row above", ("date",),
       stage="order"),
    # --- stocktake -----------------------------------------------------------------------------
    _K("st_book_mismatch", "stocktake", "ST004", "账面数量 not the ledger balance",
       ("book_qty", "actual_qty", "diff_qty")),
    _K("st_difference_wrong", "stocktake", "ST005", "差异数量 not 实盘 − 账面", ("diff_qty", "actual_qty", "book_qty")),
    _K("st_count_differs", "stocktake", None, "实盘数量 differs from 账面数量 (lowers 账实相符率)",
       ("actual_qty", "diff_qty", "book_qty")),
    _K("st_required_missing", "stocktake", "CE001", "盘点人 left empty", ("counter",)),
    # --- parts plan ----------------------------------------------------------------------------
    _K("pp_part_unknown", "parts_plan", "PP001", "配件编码 not in the parts master", ("part_code",)),
    _K("pp_required_missing", "parts_plan", "CE001", "申请人 left empty", ("applicant",)),
    # --- training log --------------------------------------------------------------------------
    _K("tl_type_alias", "training_log", "CE051", "培训类型 written 内部培训", ("type",)),
    _K("tl_int_with_unit", "training_log", "CE031", "参训人数 written 12人", ("attendees",)),
    # --- inspection ----------------------------------------------------------------------------
    _K("in_result_no", "inspection", None, "a checklist item answered 否 (the item scores 0)", ("result",)),
    _K("in_result_alias", "inspection", "CE051", "结果 written √ for 是", ("result",)),
)

DEFECTS_BY_ID: dict[str, DefectKind] = {d.id: d for d in DEFECTS}


def defect_kinds(dataset: str | None = None) -> list[DefectKind]:
    return [d for d in DEFECTS if dataset is None or d.dataset == dataset]


def count_for(rate: float, rows: int) -> int:
    """How many rows get a kind: about `rate` of them, at least one when the rate is positive."""
    if rate <= 0 or rows <= 0:
        return 0
    return max(1, round(rate * rows))


# --- injection ---------------------------------------------------------------------------------

@dataclass
class Context:
    """What the appliers need to know about the city's data."""
    rng: Any
    period: Period
    city: str
    roster: list[dict]
    part_codes: list[str]
    part_names: dict[str, str]
    order_nos: set[str] = field(default_factory=set)
    new_person: Callable[[], dict] | None = None
    counts: dict[str, int] = field(default_factory=dict)   # kind id → rows injected
    used: list[set[str]] = field(default_factory=list)     # fields already changed, per row

    def unknown_code(self, taken: set[str] = frozenset()) -> str:
        """A part code of the master's series that neither the master nor `taken` holds."""
        codes = set(self.part_codes) | set(taken)
        k = 9001 + self.rng.randrange(900)
        while f"P{k}" in codes:
            k += 1
        return f"P{k}"


Eligible = Callable[[list[dict], int, Context], bool]
Apply = Callable[[list[dict], int, Context], None]
_APPLIERS: dict[str, tuple[Eligible, Apply]] = {}


def _applier(kind_id: str, eligible: Eligible | None = None):
    def register(fn: Apply) -> Apply:
        _APPLIERS[kind_id] = (eligible or (lambda rows, i, ctx: True), fn)
        return fn
    return register


def inject(dataset: str, rows: list[dict], rate: float, ctx: Context) -> list[dict]:
    """Inject every kind of `dataset` (except the ledger's simulated ones) into `rows`, in place."""
    if rate <= 0 or not rows:
        return rows
    kinds = [k for k in defect_kinds(dataset) if k.stage in ("add", "cell", "order")]
    kinds.sort(key=lambda k: {"add": 0, "cell": 1, "order": 2}[k.stage])
    for kind in kinds:
        if kind.stage == "add":
            n = count_for(rate, len(rows))
            for _ in range(n):
                _ADDERS[kind.id](rows, ctx)
            ctx.counts[kind.id] = n
    used: list[set[str]] = [set() for _ in rows]
    ctx.used = used
    target = count_for(rate, len(rows))
    done = {k.id: 0 for k in kinds if k.stage != "add"}
    # first one row of every kind, so that each kind is present; then up to the share
    for first_pass in (True, False):
        for kind in kinds:
            if kind.stage == "add":
                continue
            want = 1 if first_pass else target - done[kind.id]
            if want > 0:
                done[kind.id] += _inject_kind(kind, rows, used, want, ctx)
    ctx.counts.update(done)
    return rows


def _inject_kind(kind: DefectKind, rows: list[dict], used: list[set[str]], want: int, ctx: Context) -> int:
    eligible, apply = _APPLIERS[kind.id]
    fields = set(kind.fields)
    swap = kind.stage == "order"      # a swap of row i and i+1: both rows must be free
    candidates = [i for i in range(len(rows)) if not (used[i] & fields) and eligible(rows, i, ctx)
                  and (not swap or (i + 1 < len(rows) and not (used[i + 1] & fields)))]
    n = min(want, len(candidates))
    done = 0
    for i in sorted(ctx.rng.sample(candidates, n)) if n else ():
        if used[i] & fields or (swap and used[i + 1] & fields):
            continue  # a neighbouring swap or a copied row's source took it
        reserved = apply(rows, i, ctx)
        if reserved is False:
            continue  # no row to copy from
        if swap:
            used[i], used[i + 1] = used[i + 1] | fields, used[i] | fields
        else:
            used[i] |= fields
        for j in reserved or ():
            used[j] |= fields
        done += 1
    return done


def _text_date(day: dt.date, style: int) -> str:
    return (f"{day.year}/{day.month:02d}/{day.day:02d}", f"{day.year}.{day.month}.{day.day}",
            f"{day.year}年{day.month}月{day.day}日", f"{day:%Y%m%d}")[style % 4]


def _completed(rows, i, ctx) -> bool:
    return rows[i].get("status") == "已完成" and isinstance(rows[i].get("completion_date"), dt.date)


def _has_part(rows, i, ctx) -> bool:
    return bool(rows[i].get("part_code")) and isinstance(rows[i].get("part_qty"), int)


def _no_part(rows, i, ctx) -> bool:
    return not rows[i].get("part_code")


def _is_date(key: str) -> Eligible:
    return lambda rows, i, ctx: isinstance(rows[i].get(key), dt.date)


# repair report ------------------------------------------------------------------------------------

_COPY = ("service_date", "tech_id", "tech_name", "customer_name", "phone", "address", "product_model",
         "service_type", "fault", "action")
_COPY_FIELDS = frozenset((*_COPY, "completion_date", "report_date"))


@_applier("rr_copied_row", lambda rows, i, ctx: i > 0 and isinstance(rows[i]["service_date"], dt.date))
def _copied_row(rows, i, ctx):
    """Copy an order entered shortly before, one no other defect has touched."""
    pristine = [j for j in range(max(0, i - 30), i) if not (ctx.used[j] & _COPY_FIELDS)]
    if not pristine:
        return False
    j = ctx.rng.choice(pristine)
    src, row = rows[j], rows[i]
    for key in _COPY:
        row[key] = src[key]
    day = row["service_date"]
    row["report_date"] = day
    if row.get("completion_date") is not None:
        row["completion_date"] = day
    return (j,)


@_applier("rr_order_no_repeated", lambda rows, i, ctx: i > 0 and _no_part(rows, i, ctx))
def _order_repeated(rows, i, ctx):
    rows[i]["order_no"] = rows[i - 1]["order_no"]
    return (i - 1,)


@_applier("rr_date_outside_period", _is_date("service_date"))
def _outside(rows, i, ctx):
    row = rows[i]
    day = ctx.period.first - dt.timedelta(days=ctx.rng.randint(1, 3))
    row["service_date"] = row["report_date"] = day
    if row.get("completion_date") is not None:
        row["completion_date"] = day


@_applier("rr_entered_before_service", _is_date("service_date"))
def _before(rows, i, ctx):
    rows[i]["report_date"] = rows[i]["service_date"] - dt.timedelta(days=ctx.rng.randint(1, 2))


@_applier("rr_late_entry", _is_date("service_date"))
def _late(rows, i, ctx):
    rows[i]["report_date"] = rows[i]["service_date"] + dt.timedelta(days=ctx.rng.randint(3, 7))


@_applier("rr_completion_before_service", _completed)
def _completion_before(rows, i, ctx):
    rows[i]["completion_date"] = rows[i]["service_date"] - dt.timedelta(days=ctx.rng.randint(1, 3))


@_applier("rr_date_nonstandard", _is_date("service_date"))
def _date_text(rows, i, ctx):
    rows[i]["service_date"] = _text_date(rows[i]["service_date"], ctx.rng.randrange(4))


@_applier("rr_date_impossible", _completed)
def _date_impossible(rows, i, ctx):
    p = ctx.period
    day = p.last.day + 1
    rows[i]["completion_date"] = f"{p.year}-{p.month:02d}-{day:02d}" if day <= 31 else f"{p.year}-02-30"


@_applier("rr_date_ambiguous", _completed)
def _date_ambiguous(rows, i, ctx):
    day = rows[i]["completion_date"]
    rows[i]["completion_date"] = f"{day.month:02d}/{day.day:02d}"


@_applier("rr_required_missing")
def _required_missing(rows, i, ctx):
    rows[i]["action"] = None


@_applier("rr_fault_missing", lambda rows, i, ctx: rows[i].get("service_type") == "维修")
def _fault_missing(rows, i, ctx):
    rows[i]["fault"] = None


_STATUS_ALIASES = {"已完成": "完成", "未完成": "未完工", "待配件": "等配件", "已取消": "取消"}


@_applier("rr_status_alias", lambda rows, i, ctx: rows[i].get("status") in _STATUS_ALIASES)
def _status_alias(rows, i, ctx):
    rows[i]["status"] = _STATUS_ALIASES[rows[i]["status"]]


@_applier("rr_enum_invalid")
def _enum_invalid(rows, i, ctx):
    rows[i]["satisfaction"] = ctx.rng.choice(("很好", "还行", "好评", "5星"))


def _is_mobile(rows, i, ctx) -> bool:
    phone = rows[i].get("phone")
    return isinstance(phone, str) and len(phone) == 11 and phone.startswith("1")


@_applier("rr_phone_nonstandard", _is_mobile)
def _phone_nonstandard(rows, i, ctx):
    p = rows[i]["phone"]
    rows[i]["phone"] = ctx.rng.choice((f"{p[:3]} {p[3:7]} {p[7:]}", f"+86 {p}", f"+86-{p[:3]}-{p[3:7]}-{p[7:]}"))


@_applier("rr_phone_invalid", _is_mobile)
def _phone_invalid(rows, i, ctx):
    rows[i]["phone"] = rows[i]["phone"][:-1] if ctx.rng.random() < 0.5 else rows[i]["phone"][:7]


@_applier("rr_landline_as_number")
def _landline_number(rows, i, ctx):
    line = names.landline(ctx.rng, ctx.city)
    rows[i]["phone"] = int(line.replace("-", "")[1:])


@_applier("rr_qty_with_unit", _has_part)
def _qty_unit(rows, i, ctx):
    rows[i]["part_qty"] = f"{rows[i]['part_qty']}{ctx.rng.choice(('个', '件', '套'))}"


@_applier("rr_qty_fraction", _has_part)
def _qty_fraction(rows, i, ctx):
    rows[i]["part_qty"] = rows[i]["part_qty"] + 0.5


@_applier("rr_money_text", lambda rows, i, ctx: isinstance(rows[i].get("fee"), (int, float)) and rows[i]["fee"] > 0)
def _money_text(rows, i, ctx):
    fee = rows[i]["fee"]
    rows[i]["fee"] = ctx.rng.choice((f"¥{fee}", f"{fee}元", f"￥{fee}.00"))


@_applier("rr_technician_unknown")
def _tech_unknown(rows, i, ctx):
    known = {t["tech_id"] for t in ctx.roster}
    k = len(known) + 50
    while f"T{k:03d}" in known:
        k += 1
    rows[i]["tech_id"] = f"T{k:03d}"


@_applier("rr_technician_name_mismatch")
def _tech_mismatch(rows, i, ctx):
    row = rows[i]
    taken = {t["name"] for t in ctx.roster}
    name = row["tech_name"]
    while name in taken:
        name = names.person_name(ctx.rng)
    row["tech_name"] = name


@_applier("rr_part_unknown", _no_part)
def _part_unknown(rows, i, ctx):
    rows[i]["part_code"] = ctx.unknown_code()
    rows[i]["part_qty"] = 1


# roster -------------------------------------------------------------------------------------------

def _add_repeated_id(rows, ctx):
    person = ctx.new_person()
    person["tech_id"] = ctx.rng.choice([r["tech_id"] for r in rows if isinstance(r.get("tech_id"), str)])
    rows.append(person)


@_applier("ro_required_missing")
def _unit_missing(rows, i, ctx):
    rows[i]["unit"] = None


def _id_text(rows, i, ctx) -> bool:
    value = rows[i].get("id_card")
    return isinstance(value, str) and len(value) == 18


@_applier("ro_id_card_check_digit", _id_text)
def _id_check(rows, i, ctx):
    value = rows[i]["id_card"]
    right = value[17]
    wrong = ctx.rng.choice([c for c in "0123456789X" if c != right])
    rows[i]["id_card"] = value[:17] + wrong


@_applier("ro_id_card_as_number", _id_text)
def _id_number(rows, i, ctx):
    value = rows[i]["id_card"]
    rows[i]["id_card"] = int(value[:17] + (value[17] if value[17] != "X" else "0"))


@_applier("ro_id_card_15_digit", _id_text)
def _id_15(rows, i, ctx):
    value = rows[i]["id_card"]
    rows[i]["id_card"] = value[:6] + value[8:14] + value[14:17]


def _mobile_text(rows, i, ctx) -> bool:
    value = rows[i].get("mobile")
    return isinstance(value, str) and len(value) == 11


@_applier("ro_mobile_nonstandard", _mobile_text)
def _mobile_nonstandard(rows, i, ctx):
    p = rows[i]["mobile"]
    rows[i]["mobile"] = ctx.rng.choice((f"{p[:3]} {p[3:7]} {p[7:]}", f"+86{p}", f"{p[:3]}-{p[3:7]}-{p[7:]}"))


@_applier("ro_mobile_invalid", _mobile_text)
def _mobile_invalid(rows, i, ctx):
    p = rows[i]["mobile"]
    rows[i]["mobile"] = ctx.rng.choice((p[:10], "12" + p[2:], p + "8"))


def _active(rows, i, ctx) -> bool:
    return rows[i].get("status") == "在职" and not rows[i].get("leave_date")


@_applier("ro_status_inconsistent", _active)
def _status_inconsistent(rows, i, ctx):
    rows[i]["status"] = "离职"


@_applier("ro_leave_before_hire", lambda rows, i, ctx: _active(rows, i, ctx) and _is_date("hire_date")(rows, i, ctx)
          and _is_date("update_date")(rows, i, ctx))
def _leave_before_hire(rows, i, ctx):
    rows[i]["leave_date"] = rows[i]["hire_date"] - dt.timedelta(days=ctx.rng.randint(20, 90))
    rows[i]["status"] = "离职"


@_applier("ro_date_nonstandard", _is_date("hire_date"))
def _hire_text(rows, i, ctx):
    rows[i]["hire_date"] = _text_date(rows[i]["hire_date"], 2)


@_applier("ro_enum_alias", lambda rows, i, ctx: rows[i].get("gender") in ("男", "女"))
def _gender_alias(rows, i, ctx):
    rows[i]["gender"] = rows[i]["gender"] + "性"


# parts master -------------------------------------------------------------------------------------

def _add_repeated_code(rows, ctx):
    src = ctx.rng.choice(rows)
    other = ctx.rng.choice(rows)
    rows.append({**other, "part_code": src["part_code"]})


@_applier("pm_required_missing")
def _location_missing(rows, i, ctx):
    rows[i]["location"] = None


@_applier("pm_enum_alias", lambda rows, i, ctx: rows[i].get("category") in ("电子", "五金", "塑料", "陶瓷"))
def _category_alias(rows, i, ctx):
    rows[i]["category"] = rows[i]["category"] + "类"


@_applier("pm_int_with_unit", lambda rows, i, ctx: isinstance(rows[i].get("safety_stock"), int))
def _safety_unit(rows, i, ctx):
    rows[i]["safety_stock"] = f"{rows[i]['safety_stock']}个"


# parts ledger -------------------------------------------------------------------------------------

def _add_unknown_part(rows, ctx):
    code = ctx.unknown_code({r.get("part_code") for r in rows})
    days = [r["date"] for r in rows if isinstance(r.get("date"), dt.date)]
    day = ctx.rng.choice(days) if days else ctx.period.first
    at = next((j for j, r in enumerate(rows) if isinstance(r.get("date"), dt.date) and r["date"] > day), len(rows))
    qty = ctx.rng.randint(2, 10)
    rows.insert(at, {"date": day, "doc_no": f"RK{day:%Y%m%d}-99", "part_code": code,
                     "part_name": ctx.rng.choice(("自攻螺丝", "装饰盖", "防臭地漏")), "batch": f"B{day:%Y%m%d}-99",
                     "type": "入库", "qty": qty, "balance": qty, "handler": None, "order_no": None})


@_applier("pl_balance_wrong", lambda rows, i, ctx: isinstance(rows[i].get("balance"), int))
def _balance_wrong(rows, i, ctx):
    rows[i]["balance"] = rows[i]["balance"] + ctx.rng.choice((-2, -1, 1, 2, 3))


def _issue(rows, i, ctx) -> bool:
    return rows[i].get("type") == "出库"


@_applier("pl_handler_missing", _issue)
def _handler_missing(rows, i, ctx):
    rows[i]["handler"] = None


@_applier("pl_handler_unknown", _issue)
def _handler_unknown(rows, i, ctx):
    taken = {t["name"] for t in ctx.roster} | {t["tech_id"] for t in ctx.roster}
    name = names.person_name(ctx.rng)
    while name in taken:
        name = names.person_name(ctx.rng)
    rows[i]["handler"] = name


@_applier("pl_order_unknown", lambda rows, i, ctx: bool(rows[i].get("order_no")))
def _order_unknown(rows, i, ctx):
    """A plausible number of the same series that the repair report does not hold."""
    value = str(rows[i]["order_no"])
    stem = value.rstrip("0123456789")
    digits = value[len(stem):] or "0"
    k = int(digits) + len(ctx.order_nos) + ctx.rng.randint(1, 50)
    while f"{stem}{k:0{len(digits)}d}" in ctx.order_nos:
        k += 1
    rows[i]["order_no"] = f"{stem}{k:0{len(digits)}d}"


@_applier("pl_type_alias", _issue)
def _type_alias(rows, i, ctx):
    rows[i]["type"] = ctx.rng.choice(("领用", "领料"))


@_applier("pl_date_nonstandard", _is_date("date"))
def _ledger_date_text(rows, i, ctx):
    rows[i]["date"] = _text_date(rows[i]["date"], 1)


@_applier("pl_part_name_mismatch", lambda rows, i, ctx: rows[i].get("part_code") in ctx.part_names)
def _name_mismatch(rows, i, ctx):
    rows[i]["part_name"] = rows[i]["part_name"] + ctx.rng.choice(("（新款）", "组件", "总成"))


def _swappable(rows, i, ctx) -> bool:
    if i + 1 >= len(rows):
        return False
    a, b = rows[i], rows[i + 1]
    return (isinstance(a.get("date"), dt.date) and isinstance(b.get("date"), dt.date) and a["date"] < b["date"]
            and a.get("part_code") != b.get("part_code"))


@_applier("pl_out_of_order", _swappable)
def _out_of_order(rows, i, ctx):
    rows[i], rows[i + 1] = rows[i + 1], rows[i]


# stocktake ----------------------------------------------------------------------------------------

def _counted(rows, i, ctx) -> bool:
    return all(isinstance(rows[i].get(k), int) for k in ("book_qty", "actual_qty"))


@_applier("st_book_mismatch", _counted)
def _book_mismatch(rows, i, ctx):
    row = rows[i]
    row["book_qty"] = max(0, row["book_qty"] + ctx.rng.choice((-2, -1, 1, 2, 5)))
    if row["book_qty"] == row["actual_qty"]:
        row["book_qty"] += 1
    row["actual_qty"] = row["book_qty"]
    row["diff_qty"] = 0


@_applier("st_difference_wrong", _counted)
def _difference_wrong(rows, i, ctx):
    row = rows[i]
    row["diff_qty"] = row["actual_qty"] - row["book_qty"] + ctx.rng.choice((-2, -1, 1, 2))


@_applier("st_count_differs", _counted)
def _count_differs(rows, i, ctx):
    row = rows[i]
    delta = ctx.rng.choice((-2, -1, 1)) if row["book_qty"] >= 2 else 1
    row["actual_qty"] = row["book_qty"] + delta
    row["diff_qty"] = delta


@_applier("st_required_missing")
def _counter_missing(rows, i, ctx):
    rows[i]["counter"] = None


# parts plan, training, inspection -------------------------------------------------------------------

@_applier("pp_part_unknown")
def _plan_part_unknown(rows, i, ctx):
    rows[i]["part_code"] = ctx.unknown_code()


@_applier("pp_required_missing")
def _applicant_missing(rows, i, ctx):
    rows[i]["applicant"] = None


_TRAINING_ALIASES = {"经销商培训": ("内部培训", "月度内训", "经销商内训"), "分销专场培训": ("分销培训",),
                     "其他培训": ("其他",)}


@_applier("tl_type_alias", lambda rows, i, ctx: rows[i].get("type") in _TRAINING_ALIASES)
def _training_alias(rows, i, ctx):
    rows[i]["type"] = ctx.rng.choice(_TRAINING_ALIASES[rows[i]["type"]])


@_applier("tl_int_with_unit", lambda rows, i, ctx: isinstance(rows[i].get("attendees"), int))
def _attendees_unit(rows, i, ctx):
    rows[i]["attendees"] = f"{rows[i]['attendees']}人"


@_applier("in_result_no", lambda rows, i, ctx: rows[i].get("result") == "是")
def _result_no(rows, i, ctx):
    rows[i]["result"] = "否"
    rows[i]["remark"] = ctx.rng.choice(("现场未见相关资料", "整改中", "未按要求执行", "下次复查"))


@_applier("in_result_alias", lambda rows, i, ctx: rows[i].get("result") == "是")
def _result_alias(rows, i, ctx):
    rows[i]["result"] = ctx.rng.choice(("√", "符合", "Y", "有"))


_ADDERS: dict[str, Callable[[list[dict], Context], None]] = {
    "ro_id_repeated": _add_repeated_id,
    "pm_code_repeated": _add_repeated_code,
    "pl_part_unknown": _add_unknown_part,
}


def _check_registry() -> None:
    for kind in DEFECTS:
        if kind.stage in ("cell", "order") and kind.id not in _APPLIERS:
            raise RuntimeError(f"defect {kind.id} has no applier")
        if kind.stage == "add" and kind.id not in _ADDERS:
            raise RuntimeError(f"defect {kind.id} has no adder")


_check_registry()
