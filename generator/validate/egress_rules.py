"""Cross-object checks of a cluster's egress: what OLM and CRI-O would do with the objects,
without a cluster.

- A Subscription resolves only from a CatalogSource that exists in its sourceNamespace: one the
  bundle serves, or one of OperatorHub's default sources that the bundle's OperatorHub does not
  disable. Otherwise it stays in ResolutionFailed.
- On a disconnected cluster (spec cluster.disconnected) every image must come through a mirror
  set: a digest pull is redirected only by an ImageDigestMirrorSet source matching the image
  (registry, namespace or repository scope, or `*.domain`), a tag pull only by an
  ImageTagMirrorSet one. That covers the images the bundle names and the registries each
  subscribed package pulls from (matrix.yaml `packages`).
"""

from __future__ import annotations

from collections.abc import Iterator

from generator import images
from generator.components.olm import MARKETPLACE
from generator.core.resources import Obj, at, ident_str
from generator.facts import matrix


def _sources(objs: list[Obj], kind: str, field: str) -> list[str]:
    return [e.get("source", "") for o in objs if o.get("kind") == kind for e in at(o, "spec", field) or []]


def matches(source: str, repository: str) -> bool:
    """containers-registries.conf matching: the source is the repository or one of its
    path-prefixes (whole components), or a `*.domain` wildcard of its host."""
    if source.startswith("*."):
        host = repository.split("/")[0].split(":")[0]
        return host.endswith(source[1:])
    return repository == source or repository.startswith(source + "/")


def check(spec, objs: list[Obj]) -> Iterator[tuple[str, str, str]]:
    """(object, field path, message) per problem."""
    served = {
        o["metadata"]["name"]
        for o in objs
        if o.get("kind") == "CatalogSource" and o["metadata"].get("namespace") == MARKETPLACE
    }
    hub = next((o for o in objs if o.get("kind") == "OperatorHub"), None)
    disabled_all = bool(hub and at(hub, "spec", "disableAllDefaultSources"))
    toggled = {s.get("name"): s.get("disabled") for s in (at(hub, "spec", "sources") or [])} if hub else {}
    defaults = set(matrix.matrix().source_catalogs)
    subs = [o for o in objs if o.get("kind") == "Subscription"]
    for sub in subs:
        source, ns = at(sub, "spec", "source"), at(sub, "spec", "sourceNamespace")
        if ns == MARKETPLACE and source in served:
            continue
        if ns == MARKETPLACE and source in defaults:
            off = toggled.get(source, disabled_all)
            if not off:
                continue
            yield (
                ident_str(sub),
                "spec.source",
                f"names {source}, an OperatorHub default source that OperatorHub cluster disables: OLM cannot resolve it",
            )
            continue
        yield (
            ident_str(sub),
            "spec.source",
            f"names CatalogSource {ns}/{source}, which the bundle does not serve and OperatorHub has no default of that name",
        )

    if not spec.cluster.disconnected:
        return
    digest = _sources(objs, "ImageDigestMirrorSet", "imageDigestMirrors")
    tag = _sources(objs, "ImageTagMirrorSet", "imageTagMirrors")
    for sub in subs:
        package = at(sub, "spec", "name")
        for registry in matrix.package(package).registries:
            if not any(matches(s, registry) for s in digest):
                yield (
                    ident_str(sub),
                    "spec.name",
                    (
                        f"{package} pulls from {registry} (matrix.yaml packages), which no "
                        "ImageDigestMirrorSet redirects: a disconnected cluster cannot pull its images"
                    ),
                )
    for o in objs:
        for ref in images.referenced([o]):
            parsed = images.parse_qualified(ref)
            kinds, sources = ("ImageDigestMirrorSet", digest) if parsed.by_digest else ("ImageTagMirrorSet", tag)
            if not any(matches(s, parsed.repository) for s in sources):
                yield (
                    ident_str(o),
                    "spec",
                    f"image {ref} is pulled by {'digest' if parsed.by_digest else 'tag'}, and no {kinds} redirects it to the mirror",
                )
