"""What the serving controllers and webhooks of each release read on, or write into, a model
deployment: the token-auth annotation per kind and mode, the hardware-profile webhook's
annotations, KServe's deployment-mode renames and the fields Argo CD must compare as known types
(`generator/data/serving.yaml`, hand-kept with the source of each entry), as a typed model
validated once when first asked for."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field

from generator.facts import handkept
from generator.facts.handkept import Section, Sourced, Version, version_key
from generator.facts.matrix import KnownTypeField

SHIPPED = "generator/data/serving.yaml"


class Span(Section):
    """The releases of one distribution an entry holds on: `from` to `until`, both inclusive
    (no `until`: every later release)."""

    first: Version = Field(alias="from")
    until: Version | None = None

    def covers(self, version: str) -> bool:
        return version_key(self.first) <= version_key(version) and (
            self.until is None or version_key(version) <= version_key(self.until)
        )


Releases = dict[str, Span]
"""Distribution -> the span; a distribution that is not named has no such thing."""


def _covers(releases: Releases, dist: str, version: str) -> bool:
    span = releases.get(dist)
    return span is not None and span.covers(version)


class TokenAuth(Sourced):
    kind: str
    mode: str | None = None
    """The InferenceService's deployment mode (None: any, an LLMInferenceService)."""
    object: str
    """The kind that carries the annotation (the InferenceService or its ServingRuntime)."""
    annotation: str
    value: str
    """Written when the model asks for token auth."""
    off: str | None = Field(default=None, alias="optOut")
    """Written when it does not, where the controllers require a token by default."""
    releases: Releases
    why: str
    source: str

    @property
    def span(self) -> str:
        """`rhoai 2.17+, odh 2.23+`: where the entry holds, for messages."""
        return ", ".join(
            f"{dist} {s.first}" + (f"-{s.until}" if s.until is not None else "+") for dist, s in self.releases.items()
        )


class HardwareProfileWebhook(Sourced):
    name_annotation: str = Field(alias="name")
    namespace_annotation: str = Field(alias="namespace")
    kinds: tuple[str, ...]
    releases: Releases
    llm_container: str
    source: str


class ModeRename(Sourced):
    old: str = Field(alias="from")
    """The name written."""
    new: str = Field(alias="to")
    """The name the API server stores."""
    releases: Releases
    source: str


class KnownTypes(Sourced):
    kind: str
    """`Kind.group`."""
    fields: tuple[KnownTypeField, ...]
    source: str


class Serving(Section):
    token_auth: tuple[TokenAuth, ...]
    hardware_profiles: HardwareProfileWebhook
    deployment_mode_renames: tuple[ModeRename, ...]
    known_type_fields: tuple[KnownTypes, ...]


def load(path: Path, shown: str | None = None) -> Serving:
    return handkept.load(path, shown or str(path), Serving)


@lru_cache(maxsize=1)
def serving() -> Serving:
    """The shipped serving.yaml, validated (once per process)."""
    return load(handkept.shipped("serving.yaml"), SHIPPED)


def token_auth(dist: str, version: str, kind: str, mode: str | None) -> TokenAuth | None:
    """How a `kind` deployment in `mode` asks for token auth on this release (None: it cannot)."""
    for t in token_auth_elsewhere(kind, mode):
        if _covers(t.releases, dist, version):
            return t
    return None


def token_auth_elsewhere(kind: str, mode: str | None) -> list[TokenAuth]:
    """The releases where a `kind` deployment in `mode` has token auth, for messages."""
    return [t for t in serving().token_auth if t.kind == kind and t.mode in (None, mode)]


def hardware_profile_webhook(dist: str, version: str) -> HardwareProfileWebhook | None:
    """The webhook that applies a HardwareProfile to a model annotated with it, where the
    release's dashboard marks models so (None elsewhere)."""
    hook = serving().hardware_profiles
    return hook if _covers(hook.releases, dist, version) else None


def stored_mode(dist: str, version: str, mode: str) -> str:
    """The deployment-mode name the API server stores for `mode` on this release (KServe's
    defaulting webhook renames deprecated names on admission)."""
    for r in mode_renames():
        if r.old == mode and _covers(r.releases, dist, version):
            return r.new
    return mode


def known_type_fields() -> dict[str, list[dict[str, str]]]:
    """`group/Kind` -> Argo CD knownTypeFields entries (field, type) for the model's kinds."""
    out: dict[str, list[dict[str, str]]] = {}
    for e in serving().known_type_fields:
        kind, _, group = e.kind.partition(".")
        out[f"{group}/{kind}"] = [{"field": f.field, "type": f.type} for f in e.fields]
    return out


def mode_renames() -> tuple[ModeRename, ...]:
    """Every deployment-mode rename some release's KServe makes on admission."""
    return serving().deployment_mode_renames
