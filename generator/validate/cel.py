"""CustomResourceDefinition validation rules (`x-kubernetes-validations`), evaluated as the
Kubernetes API server does, so an object the cluster would refuse is found without a cluster.

The API server (k8s.io/apiextensions-apiserver/pkg/apiserver/schema/cel/validation.go):

- applies the schema's defaults first (structural defaulting, see `with_defaults`);
- at every schema node where the object has a non-null value (root included, each array item,
  each value of an `additionalProperties` map) evaluates the node's rules with `self` bound to
  that value; at a resource root (and an `x-kubernetes-embedded-resource`) `self.metadata`
  only carries `name` and `generateName`;
- skips transition rules (those reading `oldSelf`) when there is no previous object, which is
  always the case here: they are counted, never evaluated;
- refuses the object when a rule is false (message: `messageExpression`, else `message`, else
  "failed rule: <rule>"; path: the node's, plus the rule's `fieldPath`) and when a rule fails
  to evaluate (typically "no such key": reading an absent field without `has()`).

CEL comes from cel-expr-python (the C++ CEL runtime). `self` is declared `dyn` rather than typed
from the schema: every rule the API server accepted type-checks against its typed `self`, so a
dynamic `self` accepts it too and gives the same results at run time. What differs from the API
server's environment (cel-go plus Kubernetes libraries):

- The strings, optional, bindings, encoders and math extensions are cel-expr-python's own.
- Kubernetes' `format` library is written here in Python. Its functions return an opaque
  `Format` and an `optional(list(string))`, which a Python function cannot return through
  cel-expr-python (only plain values cross), and a second `hasValue()` cannot be declared next
  to the optional extension's. So a rule that the main environment cannot compile is compiled
  again in a second environment without the optional extension, where a format is its name (a
  string) and an optional is a map, {"value": v} or {}, with `hasValue()`, `value()` and
  `orValue()` (enough for `!format.dns1123Label().validate(self).hasValue()` and for
  `...validate(self).value().join(', ')` in a messageExpression).
- The Kubernetes lists library's isSorted/sum/min/max, the regex library's find/findAll, the
  sets extension and isURL are written here too. Not available (a rule using them counts as
  unsupported, never as a pass or a failure): the lists library's indexOf/lastIndexOf on lists
  (cel-cpp refuses to declare a second `indexOf` next to the strings extension's), quantity(),
  url(), ip(), cidr(), semver(), authorizer, two-variable comprehensions, cel-go's lists
  extension (slice, flatten, sort...).
- Comparing an int with a double is allowed by Kubernetes (CrossTypeNumericComparisons) and by
  cel-cpp at run time, but not by cel-cpp's type checker; such a rule is compiled unchecked.
"""

from __future__ import annotations

import base64
import datetime
import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from cel_expr_python import cel
from cel_expr_python.ext import ext_bindings, ext_encoders, ext_math, ext_optional, ext_strings

from generator.validate.schemas import portable_pattern
from generator.validate.validator import field_path


@dataclass
class CelStats:
    evaluated: int = 0  # rules evaluated (each rule x each node it applied to)
    transition_skipped: int = 0  # rules referencing oldSelf: skipped (no previous object here)
    unsupported: int = 0  # rules our CEL environment cannot compile (a Kubernetes library function we lack)

    def add(self, other: CelStats) -> None:
        self.evaluated += other.evaluated
        self.transition_skipped += other.transition_skipped
        self.unsupported += other.unsupported


@dataclass(frozen=True)
class RuleFinding:
    path: str  # field path of the node the rule failed on (+ the rule's fieldPath), "" for the root
    rule: str  # the rule text
    message: str  # message, evaluated messageExpression, "failed rule: <rule>", or "evaluation error: ..."


# --------------------------------------------------------------------------------------------
# Defaulting


def _nullable(schema: dict) -> bool:
    t = schema.get("type")
    return schema.get("nullable") is True or (isinstance(t, list) and "null" in t)


def _default_of(schema: dict) -> tuple[bool, Any]:
    # A `default: null` is no default: the API server reads it as a nil default.
    d = schema.get("default")
    return d is not None, d


def _sub(schema: dict, key: str) -> dict | None:
    """The schema of an object's property `key`: its own, else additionalProperties'."""
    props = schema.get("properties")
    if isinstance(props, dict) and isinstance(props.get(key), dict):
        return props[key]
    addl = schema.get("additionalProperties")
    return addl if isinstance(addl, dict) else None


def _copy(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value


def with_defaults(schema: dict, obj: Any) -> Any:
    """A deep copy of obj with the schema's `default`s applied as the API server's structural
    defaulting does (absent properties of present objects get their default, recursively into
    the defaulted values too; items of arrays and values of additionalProperties maps are
    defaulted by their schemas). Never mutates its inputs.

    As the API server does before defaulting (structuraldefaulting.PruneNonNullableNullsWithoutDefaults),
    a null in a non-nullable property is dropped, or replaced by the property's default if it
    has one; a null item of a non-nullable array with an item default gets that default."""
    return _defaulted(schema if isinstance(schema, dict) else {}, obj)


def _defaulted(schema: dict, value: Any) -> Any:
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            sub = _sub(schema, k)
            if sub is None:
                out[k] = _copy(v)
                continue
            if v is None and not _nullable(sub):
                has, d = _default_of(sub)
                if not has:
                    continue  # pruned
                v = d
            out[k] = _defaulted(sub, v)
        props = schema.get("properties")
        if isinstance(props, dict):
            for k, sub in props.items():
                if k not in out and k not in value and isinstance(sub, dict):
                    has, d = _default_of(sub)
                    if has:
                        out[k] = _defaulted(sub, d)
        return out
    if isinstance(value, list):
        items = schema.get("items")
        if not isinstance(items, dict):
            return _copy(value)
        out_list = []
        for v in value:
            if v is None and not _nullable(items):
                has, d = _default_of(items)
                if has:
                    v = d
            out_list.append(_defaulted(items, v))
        return out_list
    return value


# --------------------------------------------------------------------------------------------
# Values as the API server gives them to CEL (k8s.io/apiserver/pkg/cel/common/values.go)

# Property names of objects are CEL field names, escaped (k8s.io/apiserver/pkg/cel/escaping.go):
# `foo-bar` is read as `self.foo__dash__bar`, `namespace` as `self.__namespace__`.
_CEL_RESERVED = frozenset(
    [
        "true",
        "false",
        "null",
        "in",
        "as",
        "break",
        "const",
        "continue",
        "else",
        "for",
        "function",
        "if",
        "import",
        "let",
        "loop",
        "package",
        "namespace",
        "return",
        "var",
        "void",
        "while",
    ]
)
_PLAIN_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_ESCAPES = {"__": "__underscores__", ".": "__dot__", "-": "__dash__", "/": "__slash__"}
_TO_ESCAPE = re.compile(r"__|[-./]|[^A-Za-z0-9\-./_]")
_escape_cache: dict[str, str] = {}


def _escape(name: str) -> str:
    """The CEL field name of a property (the name itself when it cannot be escaped: the API
    server leaves such a property out of the CEL type, so no rule can read it)."""
    got = _escape_cache.get(name)
    if got is not None:
        return got
    out = name
    if name in _CEL_RESERVED:
        out = f"__{name}__"
    elif name and not name[0].isdigit() and not (_PLAIN_NAME.fullmatch(name) and "__" not in name):
        parts = _TO_ESCAPE.split(name)
        seps = _TO_ESCAPE.findall(name)
        if all(s in _ESCAPES for s in seps):
            out = parts[0] + "".join(_ESCAPES[s] + p for s, p in zip(seps, parts[1:]))
    if len(_escape_cache) < 10000:
        _escape_cache[name] = out
    return out


def _types(schema: dict) -> tuple:
    t = schema.get("type")
    return tuple(t) if isinstance(t, list) else (t,)


_TIME_FORMATS = ("date", "date-time", "duration")


def _to_cel(schema: dict, value: Any, resource_root: bool = False) -> Any:
    """A value as CEL sees it: integers of `type: number` fields are doubles, strings of
    `format: byte` are bytes, object property names are escaped, a resource's metadata only has
    name and generateName.

    The API server also makes `format: date/date-time/duration` strings timestamps and
    durations; cel-expr-python cannot take those from Python (it takes datetime.datetime for
    neither, and protobuf messages would need the protobuf package), so they stay strings and a
    rule that then fails on a type mismatch counts as unsupported (see _evaluate)."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int):
        types = _types(schema)
        return float(value) if "number" in types and "integer" not in types else value
    if isinstance(value, str):
        if schema.get("format") == "byte" and "string" in _types(schema):
            try:
                return base64.b64decode(value.replace("\n", "").replace("\r", ""), validate=True)
            except ValueError:
                return value  # not base64: schema validation refuses it; CEL gets the string
        return value
    if isinstance(value, dict):
        props = schema.get("properties")
        props = props if isinstance(props, dict) else {}
        addl = schema.get("additionalProperties")
        addl = addl if isinstance(addl, dict) else {}
        root = resource_root or schema.get("x-kubernetes-embedded-resource") is True
        out = {}
        for k, v in value.items():
            if root and k == "metadata" and isinstance(v, dict):
                out[k] = {m: v[m] for m in ("name", "generateName") if m in v}
            elif k in props and isinstance(props[k], dict):
                out[_escape(k)] = _to_cel(props[k], v)
            else:
                out[k] = _to_cel(addl, v)
        return out
    if isinstance(value, list):
        items = schema.get("items")
        items = items if isinstance(items, dict) else {}
        return [_to_cel(items, v) for v in value]
    if isinstance(value, (datetime.date, datetime.datetime)):
        # YAML's unquoted timestamps: the JSON the API server reads has a string there.
        return value.isoformat()
    return value


def _time_typed(schema: Any) -> bool:
    """Whether a schema has, anywhere below it, a string CEL would see as a timestamp or duration."""
    if not isinstance(schema, dict):
        return False
    if schema.get("format") in _TIME_FORMATS:
        return True
    props = schema.get("properties")
    subs = list(props.values()) if isinstance(props, dict) else []
    subs += [schema.get("items"), schema.get("additionalProperties")]
    for k in ("allOf", "anyOf", "oneOf"):
        if isinstance(schema.get(k), list):
            subs += schema[k]
    return any(_time_typed(sub) for sub in subs)


# --------------------------------------------------------------------------------------------
# Kubernetes' format library (k8s.io/apiserver/pkg/cel/library/format.go), validations from
# k8s.io/apimachinery/pkg/util/validation and pkg/api/validation. Go regexps are anchored with
# ^...$ (no multi-line), hence fullmatch; lengths are Go's, in bytes.

_DNS1123_LABEL_FMT = "[a-z0-9]([-a-z0-9]*[a-z0-9])?"
_DNS1123_SUBDOMAIN_FMT = _DNS1123_LABEL_FMT + "(\\." + _DNS1123_LABEL_FMT + ")*"
_DNS1035_LABEL_FMT = "[a-z]([-a-z0-9]*[a-z0-9])?"
_QUALIFIED_NAME_FMT = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]"
_LABEL_VALUE_FMT = "(" + _QUALIFIED_NAME_FMT + ")?"
_DNS1123_LABEL = re.compile(_DNS1123_LABEL_FMT)
_DNS1123_SUBDOMAIN = re.compile(_DNS1123_SUBDOMAIN_FMT)
_DNS1035_LABEL = re.compile(_DNS1035_LABEL_FMT)
_QUALIFIED_NAME = re.compile(_QUALIFIED_NAME_FMT)
_LABEL_VALUE = re.compile(_LABEL_VALUE_FMT)
# kube-openapi's strfmt: UUIDPattern, govalidator.IsBase64, IsDate, IsDateTime.
_UUID = re.compile(r"(?i)[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}")
_BASE64 = re.compile(r"(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{4})")
_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_DATETIME_TIME = re.compile(r"([0-9]{2}):([0-9]{2}):([0-9]{2})(.[0-9]+)?(z|([+-][0-9]{2}:[0-9]{2}))")
_URI_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:")


def _len(s: str) -> int:
    return len(s.encode("utf-8"))


def _max_len_error(n: int) -> str:
    return f"must be no more than {n} characters"


def _regex_error(msg: str, fmt: str, *examples: str) -> str:
    if not examples:
        return f"{msg} (regex used for validation is '{fmt}')"
    msg += " (e.g. " + " or ".join(f"'{e}', " for e in examples)
    return msg + f"regex used for validation is '{fmt}')"


def _dns1123_label(s: str) -> list[str]:
    errs = []
    if _len(s) > 63:
        errs.append(_max_len_error(63))
    if not _DNS1123_LABEL.fullmatch(s):
        if _DNS1123_SUBDOMAIN.fullmatch(s):
            errs.append("must not contain dots")
        else:
            errs.append(
                _regex_error(
                    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', "
                    "and must start and end with an alphanumeric character",
                    _DNS1123_LABEL_FMT,
                    "my-name",
                    "123-abc",
                )
            )
    return errs


def _dns1123_subdomain(s: str) -> list[str]:
    errs = []
    if _len(s) > 253:
        errs.append(_max_len_error(253))
    if not _DNS1123_SUBDOMAIN.fullmatch(s):
        errs.append(
            _regex_error(
                "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', "
                "and must start and end with an alphanumeric character",
                _DNS1123_SUBDOMAIN_FMT,
                "example.com",
            )
        )
    return errs


def _dns1035_label(s: str) -> list[str]:
    errs = []
    if _len(s) > 63:
        errs.append(_max_len_error(63))
    if not _DNS1035_LABEL.fullmatch(s):
        errs.append(
            _regex_error(
                "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an "
                "alphabetic character, and end with an alphanumeric character",
                _DNS1035_LABEL_FMT,
                "my-name",
                "abc-123",
            )
        )
    return errs


_QNAME_MSG = (
    "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character"
)


def _qualified_name(s: str) -> list[str]:
    errs = []
    parts = s.split("/")
    if len(parts) == 1:
        name = parts[0]
    elif len(parts) == 2:
        prefix, name = parts
        if not prefix:
            errs.append("prefix part must be non-empty")
        else:
            errs += ["prefix part " + m for m in _dns1123_subdomain(prefix)]
    else:
        return [
            "a qualified name "
            + _regex_error(_QNAME_MSG, _QUALIFIED_NAME_FMT, "MyName", "my.name", "123-abc")
            + " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"
        ]
    if not name:
        errs.append("name part must be non-empty")
    elif _len(name) > 63:
        errs.append("name part " + _max_len_error(63))
    if not _QUALIFIED_NAME.fullmatch(name):
        errs.append("name part " + _regex_error(_QNAME_MSG, _QUALIFIED_NAME_FMT, "MyName", "my.name", "123-abc"))
    return errs


def _label_value(s: str) -> list[str]:
    errs = []
    if _len(s) > 63:
        errs.append(_max_len_error(63))
    if not _LABEL_VALUE.fullmatch(s):
        errs.append(
            _regex_error(
                "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', "
                "and must start and end with an alphanumeric character",
                _LABEL_VALUE_FMT,
                "MyValue",
                "my_value",
                "12345",
            )
        )
    return errs


def _mask_trailing_dash(s: str) -> str:
    # apimachinery's maskTrailingDash, as written there (it drops the last two characters).
    return s[:-2] + "a" if len(s) > 1 and s.endswith("-") else s


def _port_name(s: str) -> list[str]:
    errs = []
    if _len(s) > 15:
        errs.append(_max_len_error(15))
    if not re.fullmatch(r"[-a-z0-9]+", s):
        errs.append("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)")
    if not re.search(r"[a-z]", s):
        errs.append("must contain at least one letter (a-z)")
    if "--" in s:
        errs.append("must not contain consecutive hyphens")
    if s and (s[0] == "-" or s[-1] == "-"):
        errs.append("must not begin or end with a hyphen")
    return errs


def _uri(s: str) -> list[str]:
    # Go's url.ParseRequestURI, its main refusals: empty, neither absolute URI nor absolute path,
    # control characters, malformed %-escapes.
    if not s:
        return ['parse "": empty url']
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in s):
        return [f'parse "{s}": net/url: invalid control character in URL']
    if not (s.startswith("/") or _URI_SCHEME.match(s)):
        return [f'parse "{s}": invalid URI for request']
    if re.search(r"%(?![0-9A-Fa-f]{2})", s.split("#", 1)[0]):
        return [f'parse "{s}": invalid URL escape']
    return []


def _is_date(s: str) -> bool:
    m = _DATE.fullmatch(s)
    if not m:
        return False
    try:
        datetime.date(int(m[1]), int(m[2]), int(m[3]))
        return True
    except ValueError:
        return False


def _is_datetime(s: str) -> bool:
    if len(s) < 4:
        return False
    parts = s.lower().split("t")
    if len(parts) < 2 or not _is_date(parts[0]):
        return False
    m = _DATETIME_TIME.fullmatch(parts[1])
    return m is not None and m[1] <= "23" and m[2] <= "59" and m[3] <= "59"


FORMATS: dict[str, Callable[[str], list[str]]] = {
    "dns1123Label": _dns1123_label,
    "dns1123Subdomain": _dns1123_subdomain,
    "dns1035Label": _dns1035_label,
    "qualifiedName": _qualified_name,
    "portName": _port_name,
    "dns1123LabelPrefix": lambda s: _dns1123_label(_mask_trailing_dash(s)),
    "dns1123SubdomainPrefix": lambda s: _dns1123_subdomain(_mask_trailing_dash(s)),
    "dns1035LabelPrefix": lambda s: _dns1035_label(_mask_trailing_dash(s)),
    "labelValue": _label_value,
    "uri": _uri,
    "uuid": lambda s: [] if _UUID.fullmatch(s) else ["does not match the UUID format"],
    "byte": lambda s: [] if _BASE64.fullmatch(s) else ["invalid base64"],
    "date": lambda s: [] if _is_date(s) else ["invalid date"],
    "datetime": lambda s: [] if _is_datetime(s) else ["invalid datetime"],
}


# --------------------------------------------------------------------------------------------
# Other Kubernetes library functions written in Python


def _list_is_sorted(items: list) -> bool:
    return all(a <= b for a, b in itertools.pairwise(items))


def _list_sum(items: list) -> Any:
    return sum(items) if items else 0


def _list_min(items: list) -> Any:
    if not items:
        raise ValueError("min called on empty list")
    return min(items)


def _list_max(items: list) -> Any:
    if not items:
        raise ValueError("max called on empty list")
    return max(items)


def _cel_equal(a: Any, b: Any) -> bool:
    # CEL equality: a bool is never equal to a number (Python says True == 1).
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_cel_equal(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_cel_equal(a[k], b[k]) for k in a)
    return a == b


def _sets_contains(items: list, sub: list) -> bool:
    return all(any(_cel_equal(x, y) for y in items) for x in sub)


def _sets_intersects(a: list, b: list) -> bool:
    return any(any(_cel_equal(x, y) for y in b) for x in a)


_regex_cache: dict[str, re.Pattern] = {}


def _regex(pattern: str) -> re.Pattern:
    got = _regex_cache.get(pattern)
    if got is None:
        got = _regex_cache[pattern] = re.compile(portable_pattern(pattern))
    return got


def _find(s: str, pattern: str) -> str:
    m = _regex(pattern).search(s)
    return m.group(0) if m else ""


def _find_all(s: str, pattern: str, limit: int = -1) -> list[str]:
    found = [m.group(0) for m in _regex(pattern).finditer(s)]
    return found if limit < 0 else found[:limit]


# The second environment's stand-in for optional values: {"value": v} or {}.
def _opt_value(box: dict) -> Any:
    if "value" not in box:
        raise ValueError("optional.none() dereference")
    return box["value"]


def _format_validate(name: str, s: str) -> dict:
    validate = FORMATS.get(name)
    if validate is None:
        raise ValueError(f"no such format: {name}")
    errs = validate(s)
    return {"value": errs} if errs else {}


_T = cel.Type
_LIST, _MAP, _DYN, _STR, _BOOL, _INT = _T.LIST, _T.MAP, _T.DYN, _T.STRING, _T.BOOL, _T.INT


def _fn(
    name: str, overload_id: str, ret: cel.Type, params: list, impl: Callable, member: bool = False
) -> cel.FunctionDecl:
    return cel.FunctionDecl(name, [cel.Overload(overload_id, ret, params, is_member=member, impl=impl)])


# cel-expr-python never dispatches a call to an overload whose parameter is `dyn`, so a function
# taking any value gets one overload per kind of value that can cross into Python and back
# (timestamps and durations cannot: see _to_cel).
_ANY_KINDS = {
    "null": _T.NULL,
    "bool": _BOOL,
    "int": _INT,
    "uint": _T.UINT,
    "double": _T.DOUBLE,
    "string": _STR,
    "bytes": _T.BYTES,
    "list": _LIST,
    "map": _MAP,
}


def _fn_any(
    name: str, overload_id: str, ret: cel.Type, params: list, impl: Callable, member: bool = False
) -> cel.FunctionDecl:
    """A function whose last parameter is any value."""
    return cel.FunctionDecl(
        name,
        [
            cel.Overload(f"{overload_id}_{kind}", ret, [*params, t], is_member=member, impl=impl)
            for kind, t in _ANY_KINDS.items()
        ],
    )


def _common_functions() -> list[cel.FunctionDecl]:
    return [
        # Kubernetes lists library (indexOf/lastIndexOf on lists: see the module doc).
        _fn("isSorted", "k8s_list_is_sorted", _BOOL, [_LIST], _list_is_sorted, member=True),
        _fn("sum", "k8s_list_sum", _DYN, [_LIST], _list_sum, member=True),
        _fn("min", "k8s_list_min", _DYN, [_LIST], _list_min, member=True),
        _fn("max", "k8s_list_max", _DYN, [_LIST], _list_max, member=True),
        # Kubernetes regex library.
        _fn("find", "k8s_string_find", _STR, [_STR, _STR], _find, member=True),
        cel.FunctionDecl(
            "findAll",
            [
                cel.Overload("k8s_string_find_all", _T.List(_STR), [_STR, _STR], is_member=True, impl=_find_all),
                cel.Overload(
                    "k8s_string_find_all_n", _T.List(_STR), [_STR, _STR, _INT], is_member=True, impl=_find_all
                ),
            ],
        ),
        # Kubernetes URLs library: isURL only (url() returns an opaque URL).
        _fn("isURL", "k8s_is_url", _BOOL, [_STR], lambda s: not _uri(s)),
        # cel-go's sets extension.
        _fn("sets.contains", "sets_contains", _BOOL, [_LIST, _LIST], _sets_contains),
        _fn(
            "sets.equivalent",
            "sets_equivalent",
            _BOOL,
            [_LIST, _LIST],
            lambda a, b: _sets_contains(a, b) and _sets_contains(b, a),
        ),
        _fn("sets.intersects", "sets_intersects", _BOOL, [_LIST, _LIST], _sets_intersects),
    ]


def _format_functions() -> list[cel.FunctionDecl]:
    decls = [_fn(f"format.{name}", f"format_{name}", _STR, [], (lambda n=name: n)) for name in FORMATS]
    decls += [
        _fn("format.named", "format_named", _MAP, [_STR], lambda n: {"value": n} if n in FORMATS else {}),
        _fn("validate", "format_validate", _MAP, [_STR, _STR], _format_validate, member=True),
        _fn("hasValue", "optional_map_has_value", _BOOL, [_MAP], lambda box: "value" in box, member=True),
        _fn("value", "optional_map_value", _DYN, [_MAP], _opt_value, member=True),
        _fn_any("orValue", "optional_map_or_value", _DYN, [_MAP], lambda box, v: box.get("value", v), member=True),
        _fn_any("optional.of", "optional_map_of", _MAP, [], lambda v: {"value": v}),
        _fn("optional.none", "optional_map_none", _MAP, [], dict),
    ]
    return decls


_envs: tuple | None = None


def _environments() -> tuple:
    """(main, format) environments, made once per process."""
    global _envs
    if _envs is None:
        variables = {"self": _DYN}
        common = [ext_strings.ExtStrings(), ext_bindings.ExtBindings(), ext_encoders.ExtEncoders(), ext_math.ExtMath()]
        main = cel.NewEnv(
            variables=variables, extensions=[*common, ext_optional.ExtOptional()], functions=_common_functions()
        )
        common = [ext_strings.ExtStrings(), ext_bindings.ExtBindings(), ext_encoders.ExtEncoders(), ext_math.ExtMath()]
        formats = cel.NewEnv(
            variables=variables, extensions=common, functions=_common_functions() + _format_functions()
        )
        _envs = (main, formats)
    return _envs


# --------------------------------------------------------------------------------------------
# Compiling


_compiled: dict[str, Any] = {}  # expression text -> cel Expression, or the compile error (str)
_NUMERIC_COMPARISON = re.compile(
    r"found no matching overload for '_(<|<=|>|>=)_' applied to '\((int|uint|double), (int|uint|double)\)'"
)


def _compile(text: str) -> Any:
    """The compiled expression, or the reason it does not compile (a str). Cached per process."""
    got = _compiled.get(text)
    if got is not None:
        return got
    main, formats = _environments()
    errors = []
    got = None
    for env in (main, formats):
        try:
            got = env.compile(text)
            break
        except RuntimeError as exc:
            errors.append(str(exc))
    if got is None and _NUMERIC_COMPARISON.search(errors[0]):
        # Kubernetes allows comparing numbers of different types (CrossTypeNumericComparisons),
        # which cel-cpp's runtime does too but its type checker does not.
        try:
            got = main.compile(text, disable_check=True)
        except RuntimeError:
            got = None
    if got is None:
        got = errors[0].splitlines()[0] if errors and errors[0] else "does not compile"
    _compiled[text] = got
    return got


def compile_error(text: str) -> str | None:
    """Why an expression does not compile in our environment, or None when it does."""
    got = _compile(text)
    return got if isinstance(got, str) else None


_STRING_OR_TOKEN = re.compile(
    r"""(?:[bB]?[rR]|[rR][bB])(?:'''[\s\S]*?'''|\"\"\"[\s\S]*?\"\"\"|'[^'\n]*'|"[^"\n]*")"""
    r"""|[bB]?(?:'''(?:\\[\s\S]|[\s\S])*?'''|\"\"\"(?:\\[\s\S]|[\s\S])*?\"\"\"|'(?:\\.|[^'\\\n])*'|"(?:\\.|[^"\\\n])*")"""
    r"""|//[^\n]*|[A-Za-z_][A-Za-z0-9_]*|\S"""
)


def references_old_self(rule: str) -> bool:
    """Whether the rule reads `oldSelf` as a variable (not inside a string or comment, not as a
    field name after a dot): the API server's transition rules."""
    if "oldSelf" not in rule:
        return False
    previous = ""
    for m in _STRING_OR_TOKEN.finditer(rule):
        tok = m.group(0)
        if tok.startswith("//"):
            continue
        if tok == "oldSelf" and previous != ".":
            return True
        previous = tok
    return False


_FIELD_PATH_TOKEN = re.compile(r"\.([^.\[\]]+)|\['((?:\\.|[^'\\])*)'\]")


def _field_path_parts(path: str) -> list[str] | None:
    """A rule's fieldPath (".spec.foo", "['a.b']") as path parts; None if malformed (which the
    API server refuses when the CRD is created)."""
    parts, pos = [], 0
    while pos < len(path):
        m = _FIELD_PATH_TOKEN.match(path, pos)
        if not m:
            return None
        parts.append(m[1] if m[1] is not None else re.sub(r"\\(.)", r"\1", m[2]))
        pos = m.end()
    return parts


# --------------------------------------------------------------------------------------------
# Rules of a schema


@dataclass
class _Rule:
    rule: str
    message: str  # the message used when the rule is false and no messageExpression applies
    message_expression: str
    field_path: list[str]
    transition: bool


@dataclass
class _Plan:
    """The parts of a schema that carry rules (a branch without any is left out)."""

    schema: dict  # the node's schema
    values_schema: dict  # schema describing the node's values (an allOf part's is its parent's)
    time_typed: bool  # values_schema has timestamps or durations below it (see _to_cel)
    rules: list[_Rule] = field(default_factory=list)
    all_of: list[_Plan] = field(default_factory=list)
    properties: dict[str, _Plan] = field(default_factory=dict)
    items: _Plan | None = None
    additional: _Plan | None = None


def _rules_of(schema: dict) -> list[_Rule]:
    out = []
    for r in schema.get("x-kubernetes-validations") or []:
        if not isinstance(r, dict) or not str(r.get("rule") or "").strip():
            continue  # an empty rule is skipped by the API server too
        text = str(r["rule"])
        message = str(r.get("message") or "").strip() or f"failed rule: {text.strip()}"
        out.append(
            _Rule(
                rule=text,
                message=message,
                message_expression=str(r.get("messageExpression") or ""),
                field_path=_field_path_parts(str(r.get("fieldPath") or "")) or [],
                transition=r.get("optionalOldSelf") is True or references_old_self(text),
            )
        )
    return out


def _build_plan(schema: Any, values_schema: dict | None = None) -> _Plan | None:
    if not isinstance(schema, dict):
        return None
    values_schema = values_schema or schema
    rules = _rules_of(schema)
    plan = _Plan(schema, values_schema, bool(rules) and _time_typed(values_schema), rules)
    for part in schema.get("allOf") or []:
        sub = _build_plan(part, plan.values_schema)
        if sub:
            plan.all_of.append(sub)
    props = schema.get("properties")
    if isinstance(props, dict):
        for name, sub_schema in props.items():
            sub = _build_plan(sub_schema)
            if sub:
                plan.properties[name] = sub
    plan.items = _build_plan(schema.get("items"))
    plan.additional = _build_plan(schema.get("additionalProperties"))
    if plan.rules or plan.all_of or plan.properties or plan.items or plan.additional:
        return plan
    return None


_plans: dict[int, tuple[dict, _Plan | None]] = {}


def _plan(schema: dict) -> _Plan | None:
    # Keyed by identity (schemas are big and read-only here); the entry keeps the schema alive so
    # its id is not reused by another one.
    got = _plans.get(id(schema))
    if got is None or got[0] is not schema:
        if len(_plans) >= 4096:
            _plans.clear()  # callers making a new schema dict per call must not grow this forever
        got = _plans[id(schema)] = (schema, _build_plan(schema))
    return got[1]


def unsupported_rules(schema: dict) -> list[tuple[str, str]]:
    """(expression, compile error) for each rule and messageExpression of the schema that our
    environment cannot compile (transition rules left out: they are never evaluated here)."""
    out: dict[str, str] = {}

    def walk(plan: _Plan | None) -> None:
        if plan is None:
            return
        for r in plan.rules:
            if r.transition:
                continue
            for text in (r.rule, r.message_expression):
                if text and (err := compile_error(text)):
                    out[text] = err
        for sub in [*plan.all_of, *plan.properties.values(), plan.items, plan.additional]:
            walk(sub)

    walk(_plan(schema))
    return sorted(out.items())


# --------------------------------------------------------------------------------------------
# Evaluating


_KEY_NOT_FOUND = re.compile(r'Key not found in map\s*:\s*"?(.*?)"?\s*$')
_STATUS_PREFIX = re.compile(r"^[A-Z_]+: ")
_ERROR, _BOOL_T, _STRING_T = _T.ERROR, _T.BOOL, _T.STRING


def _error_text(message: str) -> str:
    """A cel-cpp error in Kubernetes' words where they differ ("no such key: x")."""
    message = _STATUS_PREFIX.sub("", str(message).strip())
    m = _KEY_NOT_FOUND.search(message)
    return f"no such key: {m[1]}" if m else message


def _message(rule: _Rule, activation: Any) -> str:
    if rule.message_expression:
        expr = _compile(rule.message_expression)
        if not isinstance(expr, str):
            result = expr.eval(activation)
            # The API server falls back to the message when messageExpression fails, is not a
            # string, is empty or spans lines.
            if result.type() == _STRING_T:
                text = result.value().strip()
                if text and "\n" not in text and "\r" not in text:
                    return text
    return rule.message


def _evaluate(
    plan: _Plan, value: Any, parts: list, resource_root: bool, out: list[RuleFinding], stats: CelStats
) -> None:
    activation = None
    for rule in plan.rules:
        if rule.transition:
            stats.transition_skipped += 1
            continue
        expr = _compile(rule.rule)
        if isinstance(expr, str):
            stats.unsupported += 1
            continue
        if activation is None:
            # One conversion of the node's value serves all its rules (and messageExpressions).
            main, _ = _environments()
            activation = main.Activation({"self": _to_cel(plan.values_schema, value, resource_root)})
        result = expr.eval(activation)
        kind = result.type()
        if kind == _ERROR:
            error = _error_text(result.value())
            if plan.time_typed and error.startswith("No matching overloads"):
                # Most likely a timestamp or duration, which CEL got as a string here.
                stats.unsupported += 1
                continue
            stats.evaluated += 1
            out.append(RuleFinding(field_path(parts), rule.rule, f"evaluation error: {error}"))
            continue
        stats.evaluated += 1
        if kind != _BOOL_T:
            message = f"evaluation error: the rule gave a {kind.name().lower()}, not a bool"
            out.append(RuleFinding(field_path(parts), rule.rule, message))
        elif result.value() is not True:
            out.append(RuleFinding(field_path(parts + rule.field_path), rule.rule, _message(rule, activation)))


def _walk(plan: _Plan, value: Any, parts: list, resource_root: bool, out: list[RuleFinding], stats: CelStats) -> None:
    if value is None:
        return  # the API server evaluates rules on non-null values only
    _evaluate(plan, value, parts, resource_root, out, stats)
    for sub in plan.all_of:
        _walk(sub, value, parts, resource_root, out, stats)
    if isinstance(value, dict):
        for name, sub in plan.properties.items():
            if name in value:
                _walk(sub, value[name], parts + [name], False, out, stats)
        if plan.additional:
            props = plan.schema.get("properties")
            props = props if isinstance(props, dict) else {}
            for name, v in value.items():
                if name not in props:
                    _walk(plan.additional, v, parts + [name], False, out, stats)
    elif isinstance(value, list) and plan.items:
        for i, v in enumerate(value):
            _walk(plan.items, v, parts + [i], False, out, stats)


def check(schema: dict, obj: dict, stats: CelStats | None = None) -> list[RuleFinding]:
    """Apply defaults, then evaluate every x-kubernetes-validations rule at every node where the
    object has a value (root included). Returns the failures, sorted by (path, rule)."""
    plan = _plan(schema) if isinstance(schema, dict) else None
    if plan is None:
        return []
    stats = stats if stats is not None else CelStats()
    out: list[RuleFinding] = []
    _walk(plan, with_defaults(schema, obj), [], True, out, stats)
    return sorted(out, key=lambda f: (f.path, f.rule, f.message))
