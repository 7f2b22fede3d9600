"""The one definition of the formats and the rubric: frozen msgspec Structs with their methods.

Every concept (a column, a rule kind, a rubric criterion, …) is ONE class: its fields, their strict
types and constraints, its checks (`__post_init__`) and the methods the rest of the code calls.
A YAML file is parsed and converted into these classes the first time its text is seen
(`convert`, which reports the first problem as a document path and a message, for a file:line
error); the checked result is cached as JSON in the user's cache folder (`yamlio.load_cached`,
keyed by the text and `schema_salt`), and every later run converts that JSON straight into the same
classes — no PyYAML, no pydantic. msgspec (a C extension) imports in a few milliseconds and checks
the cached data faster than a run could build it by hand; the measurement is in README
"Performance" and "Decisions where the specification is silent".
"""
from __future__ import annotations

import re
from typing import Any

import msgspec


class Struct(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """Read-only; an unknown key is an error; compared by value."""

    def replace(self, **changes: Any) -> Any:
        """A copy with some fields changed (tests and tools; nothing is checked again)."""
        return msgspec.structs.replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        """The fields as plain data, named as in the YAML (`not_` → `not`), empty fields left out."""
        out: dict[str, Any] = {}
        tag = self.__struct_config__.tag_field
        if tag is not None:
            out[tag] = self.__struct_config__.tag
        for f in msgspec.structs.fields(self):
            value = getattr(self, f.name)
            if value is not None:
                out[f.encode_name] = _plain(value)
        return out


class Localized(Struct):
    """A text in both languages (a format's title, a rubric's reasons)."""
    zh: str
    en: str

    def get(self, lang: str) -> str:
        return self.en if lang == "en" else self.zh


def _plain(value: Any) -> Any:
    if isinstance(value, Struct):
        return value.to_dict()
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


#: The text of a `__post_init__` error that names a catalogue key (`Problem`).
PROBLEM_PREFIX = "problem:"


class Problem(ValueError):
    """A model's own check, named by a catalogue key (`rubric.problem.*`, `formats.problem.*`), so
    `rubric check` and `formats check` say it in the user's language. Its text is
    `problem:<key>:<JSON params>`, which survives msgspec's wrapping of a `__post_init__` error
    (`convert` turns it back into a SchemaError with `kind` "problem", `key` and `params`)."""

    def __init__(self, key: str, **params: Any) -> None:
        import json
        super().__init__(f"{PROBLEM_PREFIX}{key}:{json.dumps(params, ensure_ascii=False)}")
        self.key, self.params = key, params


class SchemaError(ValueError):
    """A value the schema refuses: `loc` is its path in the document (keys and list indexes).

    `kind` names what is wrong for the message catalogue (`schema.problem.<kind>`: one of KINDS),
    or `problem` with the catalogue `key` and `params` of a `Problem` a model's own check raised;
    `msg` is the English text. `describe` gives the message in both languages."""

    def __init__(self, loc: tuple, msg: str, kind: str = "other", key: str | None = None,
                 params: dict[str, Any] | None = None) -> None:
        super().__init__(f"{'.'.join(str(p) for p in loc) or '(file)'}: {msg}")
        self.loc = loc
        self.msg = msg
        self.kind, self.key, self.params = kind, key, params or {}


#: What `SchemaError.kind` may be besides "problem"; each is a `schema.problem.<kind>` message.
KINDS = ("missing", "extra", "literal", "tag", "int", "bool", "text", "number", "list", "mapping", "one_of",
         "ge", "gt", "le", "lt", "min_items", "max_items", "pattern", "finite", "other")


def describe(exc: SchemaError) -> dict[str, str]:
    """`where: what is wrong` (the document path as the user wrote it, dotted) in both languages,
    from the catalogue (`schema.problem.*`, or the `Problem`'s own key)."""
    from . import i18n

    where = ".".join(str(p) for p in exc.loc)
    what = i18n.both(exc.key if exc.kind == "problem" else f"schema.problem.{exc.kind}", **exc.params)
    if not where:
        return what
    return {lang: i18n.text("schema.problem.at", lang, where=where, what=text) for lang, text in what.items()}


_AT = re.compile(r"^(?P<msg>.*?)(?: - at (?:`key` in )?`\$(?P<path>[^`]*)`)?$", re.S)
_STEP = re.compile(r"\.([^.\[]+)|\[(\d+)\]")
_KIND = {"int": "a valid integer", "bool": "a valid boolean", "str": "a valid string", "float": "a valid number",
         "array": "a valid list", "object": "a valid dictionary"}
_KIND_KEY = {"int": "int", "bool": "bool", "str": "text", "float": "number", "array": "list", "object": "mapping"}


def convert(data: Any, kind: type, *, strict: bool = True) -> Any:
    """`data` (parsed YAML or cached JSON) as `kind`; SchemaError naming the first problem.

    `strict` refuses any coercion (`width: "12"`, `required: "yes"`); the messages say what was
    expected in the words `formats check` and `rubric check` have always used.
    """
    try:
        return msgspec.convert(data, kind, strict=strict)
    except msgspec.ValidationError as exc:
        raise _schema_error(str(exc), kind) from None


def _schema_error(text: str, kind: type) -> SchemaError:
    m = _AT.match(text)
    msg, path = (m.group("msg"), m.group("path") or "") if m else (text, "")
    # a mapping's entry is `[...]` (msgspec does not name the key): the location stops at the mapping
    loc = tuple(int(i) if i else k for k, i in _STEP.findall(path.split("[...]")[0]))
    if msg.startswith(PROBLEM_PREFIX):
        import json
        key, _, params = msg[len(PROBLEM_PREFIX):].partition(":")
        return SchemaError(loc, key, "problem", key, json.loads(params or "{}"))
    if (field := re.match(r"Object contains unknown field `(.+)`$", msg)):
        return SchemaError(loc + (field.group(1),), "Extra inputs are not permitted", "extra")
    if (field := re.match(r"Object missing required field `(.+)`$", msg)):
        return SchemaError(loc + (field.group(1),), "Field required", "missing")
    allowed = list(_allowed(kind, loc))
    if (tag := re.match(r"Invalid value (.+)$", msg)) and loc:
        text = (f"Input tag {tag.group(1)} found using '{loc[-1]}' does not match any of the "
                f"expected tags: {', '.join(repr(v) for v in allowed)}")
        return SchemaError(loc, text, "tag", params={"value": _unquoted(tag.group(1)), "allowed": allowed})
    if (value := re.match(r"Invalid enum value (.+)$", msg)) and allowed:
        text = f"Input {value.group(1)} should be one of {', '.join(repr(v) for v in allowed)}"
        return SchemaError(loc, text, "literal", params={"value": _unquoted(value.group(1)), "allowed": allowed})
    if (typed := re.match(r"Expected `(\w+)`, got `(\w+)`$", msg)) and typed.group(1) in _KIND:
        return SchemaError(loc, f"Input should be {_KIND[typed.group(1)]}, got {typed.group(2)}",
                           _KIND_KEY[typed.group(1)])
    if (typed := re.match(r"Expected `([\w |]+)`, got `(\w+)`$", msg)):
        names = [t for t in typed.group(1).split(" | ") if t != "null"]
        if names and all(t in ("int", "float") for t in names):
            return SchemaError(loc, msg, "number")
        if names and all(t in _KIND_KEY for t in names):      # e.g. a number or a parameter's name
            return SchemaError(loc, msg, "one_of", params={"types": _type_words(names)})
    if (bound := re.match(r"Expected `(int|float)` (>=|>|<=|<) (\S+)$", msg)):
        op = {">=": "ge", ">": "gt", "<=": "le", "<": "lt"}[bound.group(2)]
        return SchemaError(loc, msg, op, params={"limit": _number(bound.group(3))})
    if (size := re.match(r"Expected `\w+` of length (>=|<=) (\d+)$", msg)):
        return SchemaError(loc, msg, "min_items" if size.group(1) == ">=" else "max_items",
                           params={"limit": int(size.group(2))})
    if (pattern := re.match(r"Expected `str` matching regex '(.*)'$", msg)):
        return SchemaError(loc, msg, "pattern", params={"pattern": pattern.group(1)})
    return SchemaError(loc, msg, "other", params={"detail": msg})


#: pydantic's error types (kpi/schema.py) → KINDS, and the `ctx` entry holding a bound's limit.
_PYDANTIC = {"missing": "missing", "extra_forbidden": "extra", "int_type": "int", "int_parsing": "int",
             "int_from_float": "int", "float_type": "number", "float_parsing": "number", "finite_number": "finite",
             "string_type": "text", "bool_type": "bool", "bool_parsing": "bool", "list_type": "list",
             "dict_type": "mapping", "greater_than_equal": "ge", "greater_than": "gt", "less_than_equal": "le",
             "less_than": "lt", "too_short": "min_items", "too_long": "max_items"}
_LIMIT = {"ge": "ge", "gt": "gt", "le": "le", "lt": "lt", "min_items": "min_length", "max_items": "max_length"}


def from_pydantic(errors: list[dict[str, Any]], data: Any) -> SchemaError:
    """The first of pydantic's `ValidationError.errors()` as a SchemaError whose `loc` is a path in
    `data` as the user wrote it: pydantic's own steps (a union member such as `constrained-int`,
    `[key]` for a mapping's key) are left out. The errors at that same place are read together, so
    a value that fits neither member of `int ≥ 0 | float ≥ 0` is "a number ≥ 0" (`ge`), and a
    `true` or a text there "a number"."""
    def path(loc: tuple) -> tuple:
        out: list[Any] = []
        node = data
        for step in loc:
            inside = step in node if isinstance(node, dict) else (
                isinstance(node, list) and isinstance(step, int) and 0 <= step < len(node))
            if inside:
                node = node[step]
                out.append(step)
        return tuple(out)

    def at(err: dict[str, Any]) -> tuple:
        loc = tuple(err["loc"])
        return path(loc[:-1]) + loc[-1:] if err["type"] == "missing" else path(loc)

    first = errors[0]
    where = at(first)
    same = [e for e in errors if at(e) == where]
    kinds = [_PYDANTIC.get(e["type"], "other") for e in same]
    for kind, err in zip(kinds, same):
        if kind in _LIMIT:
            limit = (err.get("ctx") or {}).get(_LIMIT[kind])
            if limit is not None:
                return SchemaError(where, err["msg"], kind, params={"limit": limit})
    if "finite" in kinds:
        return SchemaError(where, first["msg"], "finite")
    if len(kinds) > 1 and set(kinds) <= {"int", "number"}:
        return SchemaError(where, first["msg"], "number")
    kind = kinds[0] if kinds[0] not in _LIMIT else "other"
    return SchemaError(where, first["msg"], kind, params={"detail": first["msg"]} if kind == "other" else None)


def _type_words(names: list[str]) -> dict[str, str]:
    """msgspec's type names as the catalogue says them (`schema.type.*`), joined: 数字、文本 / a number or text."""
    from . import i18n

    kinds = dict.fromkeys("number" if n == "int" and "float" in names else _KIND_KEY[n] for n in names)
    words = {lang: [i18n.text(f"schema.type.{k}", lang) for k in kinds]
             for lang in i18n.LANGS}
    return {"zh": "、".join(words["zh"]), "en": " or ".join(words["en"])}


def _unquoted(text: str) -> str:
    """`'integer'` (msgspec quotes a string value) → `integer`."""
    return text[1:-1] if len(text) >= 2 and text[0] == text[-1] == "'" else text


def _number(text: str) -> int | float:
    """`0.0` → 0, `0.5` → 0.5 (a limit as the user would write it)."""
    value = float(text)
    return int(value) if value.is_integer() else value


def _allowed(kind: type, loc: tuple) -> tuple:
    """The values the tag or the enumeration at `loc` in `kind` may take (for a message), or ()."""
    import msgspec.inspect as mi

    t: Any = mi.type_info(kind)
    for step in loc:
        if isinstance(t, mi.UnionType):
            structs = [u for u in t.types if isinstance(u, mi.StructType)]
            if structs and structs[0].tag_field == step:
                return tuple(u.tag for u in structs)
            t = next((u for u in t.types if not isinstance(u, mi.NoneType)), t)
        if isinstance(t, mi.StructType):
            t = next((f.type for f in t.fields if f.encode_name == step), None)
        elif isinstance(t, mi.ListType):
            t = t.item_type
        elif isinstance(t, mi.DictType):
            t = t.value_type
        else:
            return ()
    if isinstance(t, mi.UnionType):
        t = next((u for u in t.types if isinstance(u, mi.LiteralType)), t)
    return tuple(t.values) if isinstance(t, mi.LiteralType) else ()


def schema_salt(*sources: bytes | str) -> str:
    """A cache key part that changes whenever the schema's source (or this module's) does."""
    import hashlib
    from pathlib import Path

    h = hashlib.sha256(Path(__file__).read_bytes())       # how checked data is written and read
    h.update(msgspec.__version__.encode())
    for s in sources:
        h.update(b"\0")
        h.update(s.encode("utf-8") if isinstance(s, str) else s)
    return h.hexdigest()[:16]
