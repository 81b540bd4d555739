"""Kubernetes resource quantities compared by value: the API server keeps the string it was
given (or its canonical form), so `1000m`, `1` and `1.0` are the same CPU and `1Gi` is `1024Mi`."""

from __future__ import annotations

import re
from fractions import Fraction

_BINARY = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "Pi": 2**50, "Ei": 2**60}
_DECIMAL = {"n": Fraction(1, 10**9), "u": Fraction(1, 10**6), "m": Fraction(1, 1000), "": 1,
            "k": 10**3, "M": 10**6, "G": 10**9, "T": 10**12, "P": 10**15, "E": 10**18}
# The quantity grammar of k8s.io/apimachinery/pkg/api/resource (sign, number, suffix).
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
