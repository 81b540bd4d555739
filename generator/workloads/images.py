"""Workbench images: ImageStreams in the applications namespace with the labels and annotations
the dashboard reads (name, description, order, per-tag software and Python packages, recommended
accelerators), each tag pinned by digest and the release lines the image runs on recorded."""

from __future__ import annotations

import json

from generator.components.base import Component
from generator.core.resources import Obj, obj

API = "image.openshift.io/v1"
RELEASE_LINES = "rhoai-gitops.io/release-lines"


def _listing(items) -> str:
    return json.dumps([{"name": i.name, "version": i.version} for i in items], separators=(",", ":"))


def image_stream(spec, image) -> Obj:
    annotations = {
        "opendatahub.io/notebook-image-name": image.display_name,
        "opendatahub.io/notebook-image-desc": image.description,
        RELEASE_LINES: ",".join(image.release_lines),
    }
    if image.order is not None:
        annotations["opendatahub.io/notebook-image-order"] = str(image.order)
    if image.recommended_accelerators:
        annotations["opendatahub.io/recommended-accelerators"] = json.dumps(
            image.recommended_accelerators, separators=(",", ":")
        )
    tags = []
    for t in image.tags:
        tag_annotations = {
            "opendatahub.io/notebook-software": _listing(t.software),
            "opendatahub.io/notebook-python-dependencies": _listing(t.python_packages),
            "openshift.io/imported-from": t.image.split("@")[0],
        }
        if t.recommended:
            tag_annotations["opendatahub.io/workbench-image-recommended"] = "true"
        tags.append(
            {
                "name": t.name,
                "annotations": tag_annotations,
                "from": {"kind": "DockerImage", "name": t.image},
                "importPolicy": {"scheduled": False},
                "referencePolicy": {"type": "Source"},
            }
        )
    o = obj(
        API,
        "ImageStream",
        image.name,
        spec.namespaces["applications"],
        spec={"lookupPolicy": {"local": True}, "tags": tags},
    )
    o["metadata"]["labels"] = {"opendatahub.io/notebook-image": "true", "opendatahub.io/dashboard": "true"}
    o["metadata"]["annotations"] = dict(sorted(annotations.items()))
    return o


def build(spec) -> list[Obj]:
    return [image_stream(spec, i) for i in spec.workloads.workbench_images]


def images(spec) -> list[str]:
    """Every image reference of the spec's workbench images (for mirroring)."""
    return [t.image for i in spec.workloads.workbench_images for t in i.tags]


COMPONENT = Component(
    name="workbench-images",
    description="Custom workbench images (ImageStreams)",
    build=build,
    has_base=False,
)
