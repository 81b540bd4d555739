"""Container image references in rendered objects: which images the bundle itself names (beyond
what the operators it installs bring), and how a reference splits into registry, path, tag and
digest, the way containers/image reads it."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from generator.core.resources import Obj

# docker/distribution's reference grammar: a domain (with a dot or a port, or localhost), a
# path of lower-case components, then :tag and/or @algorithm:digest.
_COMPONENT = r"[a-z0-9]+(?:(?:[._]|__|[-]*)[a-z0-9]+)*"
_REFERENCE = re.compile(
    r"^(?P<domain>(?:[a-zA-Z0-9-]+\.)+[a-zA-Z0-9-]+(?::[0-9]+)?|[a-zA-Z0-9-]+:[0-9]+|localhost)"
    rf"/(?P<path>{_COMPONENT}(?:/{_COMPONENT})*)"
    r"(?::(?P<tag>[\w][\w.-]{0,127}))?"
    r"(?:@(?P<digest>[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}))?$"
)


@dataclass(frozen=True)
class ImageRef:
    domain: str
    path: str
    tag: str | None
    digest: str | None

    @property
    def by_digest(self) -> bool:
        """Pulled by digest (IDMS applies); else by tag (ITMS applies)."""
        return self.digest is not None

    @property
    def repository(self) -> str:
        return f"{self.domain}/{self.path}"


def parse(reference: str) -> ImageRef | None:
    """The parts of a fully qualified reference; None for anything else (an AMI id, a short
    name the cluster would resolve through its search registries)."""
    m = _REFERENCE.match(reference)
    if not m:
        return None
    return ImageRef(m["domain"], m["path"], m["tag"], m["digest"])


def parse_qualified(reference: str) -> ImageRef:
    """parse() of a reference known to be fully qualified (one `referenced` returned, or an index
    image of matrix.yaml); anything else is a generator bug."""
    ref = parse(reference)
    if ref is None:
        raise ValueError(f"not a fully qualified image reference: {reference!r}")
    return ref


def _walk(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        # an ImageStream tag's source (workbench images)
        if node.get("kind") == "DockerImage" and isinstance(node.get("name"), str):
            yield node["name"]
        for key, value in node.items():
            if key == "image" and isinstance(value, str):
                yield value
            else:
                yield from _walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk(value)


# Kinds whose `image` is no image a workload pulls: a CatalogSource's is its catalog index
# (served from the mirror already, and mirrored as a catalog, not as an image).
NOT_WORKLOAD_IMAGES = frozenset({"CatalogSource"})


def referenced(objs: Iterable[Obj]) -> list[str]:
    """Every fully qualified image the objects name in an `image` field (pod templates,
    operands' image overrides, the ServingRuntimes inside Templates) or as an ImageStream tag's
    source, sorted and once each."""
    return sorted(
        {
            ref
            for o in objs
            if o.get("kind") not in NOT_WORKLOAD_IMAGES
            for part in (o.get("spec"), o.get("objects"))
            for ref in _walk(part)
            if parse(ref) is not None
        }
    )
