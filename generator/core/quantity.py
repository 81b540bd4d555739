"""Kubernetes resource quantities compared by value: the API server keeps the string it was
given (or its canonical form), so `1000m`, `1` and `1.0` are the same CPU and `1Gi` is `1024Mi`."""

from __future__ import annotations

import re
from fractions import Fraction

_BINARY: dict[str, int] = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "Pi": 2**50, "Ei": 2**60}
_DECIMAL: dict[str, Fraction | int] = {
    "n": Fraction(1, 10**9),
    "u": Fraction(1, 10**6),
    "m": Fraction(1, 1000),
    "": 1,
    "k": 10**3,
    "M": 10**6,
    "G": 10**9,
    "T": 10**12,
    "P": 10**15,
    "E": 10**18,
}
# The quantity grammar of k8s.io/apimachinery/pkg/api/resource (sign, number, suffix).
# Beyond exa (1e18) and nano (1e-9) by far; Kubernetes' own Quantity cannot hold more either.
MAX_EXPONENT = 99
_QUANTITY = re.compile(r"^([+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+))(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]|[eE][+-]?[0-9]+)?$")


def parse(value: object) -> Fraction | None:
    """The exact value of a quantity (string or number), or None if it is not one. Like
    resource.ParseQuantity, a value finer than 1n is rounded up (away from zero) to the next
    nano; a YAML number reaches the API server as JSON, whose text is what Quantity decodes."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        value = repr(value)
    if not isinstance(value, str):
        return None
    m = _QUANTITY.match(value)
    if not m:
        return None
    number, suffix = Fraction(m.group(1)), m.group(2) or ""
    if suffix not in _BINARY and suffix not in _DECIMAL and abs(int(suffix[1:])) > MAX_EXPONENT:
        return None  # 1e999999999 would take forever to compute exactly, and is no amount of anything
    if suffix in _BINARY:
        amount = number * _BINARY[suffix]
    elif suffix in _DECIMAL:
        amount = number * _DECIMAL[suffix]
    else:
        amount = number * Fraction(10) ** int(suffix[1:])
    nanos = amount * 10**9
    if nanos.denominator != 1:
        whole = -(-abs(nanos.numerator) // nanos.denominator)
        amount = Fraction(whole if amount > 0 else -whole, 10**9)
    return amount


def same(a: object, b: object) -> bool:
    """Equal as quantities: both parse and their values match."""
    x, y = parse(a), parse(b)
    return x is not None and y is not None and x == y


def _format_of(value: object) -> str:
    text = repr(value) if isinstance(value, (int, float)) else str(value)
    m = _QUANTITY.match(text)
    suffix = (m.group(2) or "") if m else ""
    if suffix in _BINARY:
        return "binary"
    return "exponent" if suffix[:1] in ("e", "E") else "decimal"


def canonical(value: object) -> str | None:
    """The string resource.Quantity marshals to (its canonical form), or None if `value` is
    not a quantity: the format of the input (binary, decimal SI, decimal exponent) is kept,
    binary only for whole multiples of 1024, and the largest SI prefix (or exponent, a multiple
    of 3) that leaves a whole mantissa is chosen: `0.2` -> `200m`, `1024Mi` -> `1Gi`."""
    amount = parse(value)
    if amount is None:
        return None
    fmt = _format_of(value)
    if fmt == "binary" and amount.denominator == 1 and abs(amount) >= 1024:
        whole = int(amount)
        for suffix in ("Ei", "Pi", "Ti", "Gi", "Mi", "Ki"):
            if whole % _BINARY[suffix] == 0:
                return f"{whole // _BINARY[suffix]}{suffix}"
        return str(whole)
    if amount == 0:
        return "0"
    exponent = 18
    while exponent > -9 and (amount / Fraction(10) ** exponent).denominator != 1:
        exponent -= 3
    mantissa = int(amount / Fraction(10) ** exponent)
    if fmt == "exponent":
        return f"{mantissa}e{exponent}" if exponent else str(mantissa)
    prefix = {18: "E", 15: "P", 12: "T", 9: "G", 6: "M", 3: "k", 0: "", -3: "m", -6: "u", -9: "n"}[exponent]
    return f"{mantissa}{prefix}"
