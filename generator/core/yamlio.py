"""Stable YAML output for plain data (dicts, lists, str, int, float, bool, None).

Manifests are data; this writes them in one canonical block style so the same objects always
give the same bytes. It is a small, fast emitter for the subset of YAML the bundle needs (the
render of a thousand clusters writes ~150k files). Strings are quoted whenever a YAML 1.1 or
1.2 reader could take them for something else; a round-trip test over arbitrary data proves
that reading the output gives back the input.
"""

from __future__ import annotations

import math
import re
from functools import lru_cache
from typing import Any

import yaml

# Plain scalars that some YAML reader would not read back as the same string.
_SPECIAL = re.compile(
    r"""^(
        ~|null|Null|NULL|
        y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF|
        [-+]?(\.[0-9]+|[0-9][0-9_]*(\.[0-9_]*)?)([eE][-+]?[0-9]+)?|
        [-+]?0[xob][0-9a-fA-F_]+|
        [-+]?[0-9][0-9_]*(:[0-5]?[0-9])+(\.[0-9_]*)?|
        [-+]?\.(inf|Inf|INF)|\.(nan|NaN|NAN)|
        [0-9]{4}-[0-9]{1,2}-[0-9]{1,2}.*|
        <<|=
    )$""",
    re.X,
)
_SAFE_PLAIN = re.compile(r"^[A-Za-z0-9_./(][A-Za-z0-9_./:@()+\- ,=]*$")


def _scalar(value: Any) -> str:
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return ".nan"
        if math.isinf(value):
            return ".inf" if value > 0 else "-.inf"
        text = repr(value)
        if "e" in text and "." not in text:
            # YAML 1.1 readers need a dot in the mantissa to read a float.
            mantissa, exponent = text.split("e")
            text = f"{mantissa}.0e{exponent}"
        return text
    if isinstance(value, str):
        return _string(value)
    raise TypeError(f"cannot write {type(value).__name__} as YAML: {value!r}")


@lru_cache(maxsize=1 << 16)
def _string(s: str) -> str:
    # Cached: manifests repeat the same keys and values thousands of times across a fleet.
    if (
        s
        and _SAFE_PLAIN.fullmatch(s)
        and not _SPECIAL.fullmatch(s)
        and not s.endswith((" ", ":"))
        and ": " not in s
        and " #" not in s
    ):
        return s
    return _double_quoted(s)


def _double_quoted(s: str) -> str:
    out = ['"']
    for ch in s:
        code = ord(ch)
        if ch == '"' or ch == "\\":
            out.append("\\" + ch)
        elif 0x20 <= code <= 0x7E:
            out.append(ch)
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif _printable_non_ascii(code):
            out.append(ch)
        elif code <= 0xFF:
            out.append(f"\\x{code:02x}")
        elif code <= 0xFFFF:
            out.append(f"\\u{code:04x}")
        else:
            out.append(f"\\U{code:08x}")
    out.append('"')
    return "".join(out)


def _printable_non_ascii(code: int) -> bool:
    # YAML's printable set, minus the characters YAML 1.1 readers take as line breaks.
    if code in (0x85, 0x2028, 0x2029):
        return False
    return 0xA0 <= code <= 0xD7FF or 0xE000 <= code <= 0xFFFD or 0x10000 <= code <= 0x10FFFF


def _block_text(s: str, indent: str) -> str | None:
    """Multi-line strings as literal blocks, readable in review, when that is exact."""
    if "\n" not in s or s.startswith((" ", "\n")) or "\r" in s or "\t" in s:
        return None
    if any(line.endswith(" ") for line in s.split("\n")):
        return None
    if any(not (0x20 <= ord(c) <= 0x7E or c == "\n" or _printable_non_ascii(ord(c))) for c in s):
        return None
    body = s[:-1] if s.endswith("\n") else s
    if body.endswith("\n"):
        return None  # keep trailing blank lines exact: quote instead
    chomp = "" if s.endswith("\n") else "-"
    lines = [(indent + line) if line else "" for line in body.split("\n")]
    return f"|{chomp}\n" + "\n".join(lines)


def _emit(value: Any, indent: str, out: list[str]) -> None:
    """Append lines for a mapping or sequence that is already known to be non-empty."""
    if isinstance(value, dict):
        for key, item in value.items():
            k = _string(str(key)) if not isinstance(key, str) else _string(key)
            _emit_entry(f"{indent}{k}:", item, indent, out)
    else:
        for item in value:
            if isinstance(item, dict) and item:
                first = True
                for key, sub in item.items():
                    prefix = f"{indent}- " if first else f"{indent}  "
                    _emit_entry(f"{prefix}{_string(str(key))}:", sub, indent + "  ", out)
                    first = False
            else:
                _emit_entry(f"{indent}-", item, indent, out, in_list=True)


def _emit_entry(head: str, item: Any, indent: str, out: list[str], in_list: bool = False) -> None:
    child = indent + "  "
    if isinstance(item, dict):
        if not item:
            out.append(f"{head} {{}}")
        else:
            out.append(head)
            _emit(item, child, out)
    elif isinstance(item, list):
        if not item:
            out.append(f"{head} []")
        elif in_list:
            out.append(head)
            _emit(item, child, out)
        else:
            # Kubernetes style: list items at the key's own indentation.
            out.append(head)
            _emit(item, indent if not in_list else child, out)
    elif isinstance(item, str):
        block = _block_text(item, child)
        out.append(f"{head} {block}" if block is not None else f"{head} {_string(item)}")
    else:
        out.append(f"{head} {_scalar(item)}")


def dumps(data: Any) -> str:
    """One YAML document (no leading `---`), ending in a newline."""
    if isinstance(data, (dict, list)) and data:
        out: list[str] = []
        _emit(data, "", out)
        return "\n".join(out) + "\n"
    if isinstance(data, dict):
        return "{}\n"
    if isinstance(data, list):
        return "[]\n"
    return _scalar(data) + "\n"


def loads(text: str) -> Any:
    return yaml.load(text, Loader=_Loader)


def loads_all(text: str) -> list[Any]:
    return [d for d in yaml.load_all(text, Loader=_Loader) if d is not None]


_Base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml: built overlays are on the hot path


class _Loader(_Base):  # type: ignore[misc, valid-type]
    """Safe loader without YAML 1.1's `=` "value" tag, which SafeLoader then refuses to
    construct: kustomize writes a lone `=` unquoted (e.g. AlertmanagerConfig matchType)."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:value"]
    for first, resolvers in _Base.yaml_implicit_resolvers.items()
}
