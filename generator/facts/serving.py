"""What the serving controllers and webhooks of each release read on, or write into, a model
deployment: the token-auth annotation per kind and mode, and the hardware-profile webhook's
annotations (`generator/data/serving.yaml`, hand-kept with the source of each entry)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import yaml

from generator.core.schemafiles import data_dir


def _key(version: str) -> tuple[int, ...]:
    return tuple(int(p) for p in version.split("."))


@lru_cache(maxsize=1)
def _data() -> dict[str, Any]:
    return yaml.safe_load((data_dir().parent / "serving.yaml").read_text(encoding="utf-8"))


def _covers(releases: dict, dist: str, version: str) -> bool:
    span = releases.get(dist)
    if span is None:
        return False
    if _key(version) < _key(span["from"]):
        return False
    return "until" not in span or _key(version) <= _key(span["until"])


def _span(releases: dict) -> str:
    """`rhoai 2.17+, odh 2.23+`: where an entry holds, for messages."""
    parts = []
    for dist, span in releases.items():
        parts.append(f"{dist} {span['from']}" + (f"-{span['until']}" if "until" in span else "+"))
    return ", ".join(parts)


@dataclass(frozen=True)
class TokenAuth:
    kind: str
    mode: str | None  # the InferenceService's deployment mode (None: any, an LLMInferenceService)
    object: str  # the kind that carries the annotation (the InferenceService or its ServingRuntime)
    annotation: str
    value: str  # written when the model asks for token auth
    off: str | None  # written when it does not, where the controllers require a token by default
    releases: dict
    source: str

    @property
    def span(self) -> str:
        return _span(self.releases)


def _token_auths() -> list[TokenAuth]:
    return [
        TokenAuth(
            e["kind"],
            e.get("mode"),
            e["object"],
            e["annotation"],
            e["value"],
            e.get("optOut"),
            e["releases"],
            e["source"],
        )
        for e in _data()["tokenAuth"]
    ]


def token_auth(dist: str, version: str, kind: str, mode: str | None) -> TokenAuth | None:
    """How a `kind` deployment in `mode` asks for token auth on this release (None: it cannot)."""
    for t in _token_auths():
        if t.kind == kind and t.mode in (None, mode) and _covers(t.releases, dist, version):
            return t
    return None


def token_auth_elsewhere(kind: str, mode: str | None) -> list[TokenAuth]:
    """The releases where a `kind` deployment in `mode` has token auth, for messages."""
    return [t for t in _token_auths() if t.kind == kind and t.mode in (None, mode)]


@dataclass(frozen=True)
class HardwareProfileWebhook:
    name_annotation: str
    namespace_annotation: str
    kinds: tuple[str, ...]
    llm_container: str
    source: str


def hardware_profile_webhook(dist: str, version: str) -> HardwareProfileWebhook | None:
    """The webhook that applies a HardwareProfile to a model annotated with it, where the
    release's dashboard marks models so (None elsewhere)."""
    d = _data()["hardwareProfiles"]
    if not _covers(d["releases"], dist, version):
        return None
    return HardwareProfileWebhook(d["name"], d["namespace"], tuple(d["kinds"]), d["llmContainer"], d["source"])


def stored_mode(dist: str, version: str, mode: str) -> str:
    """The deployment-mode name the API server stores for `mode` on this release (KServe's
    defaulting webhook renames deprecated names on admission)."""
    for r in _data()["deploymentModeRenames"]:
        if r["from"] == mode and _covers(r["releases"], dist, version):
            return r["to"]
    return mode


def known_type_fields() -> dict[str, list[dict[str, str]]]:
    """`group/Kind` -> Argo CD knownTypeFields entries (field, type) for the model's kinds."""
    out: dict[str, list[dict[str, str]]] = {}
    for e in _data()["knownTypeFields"]:
        kind, _, group = e["kind"].partition(".")
        out[f"{group}/{kind}"] = [{"field": f["field"], "type": f["type"]} for f in e["fields"]]
    return out


@dataclass(frozen=True)
class ModeRename:
    old: str  # the name written
    new: str  # the name the API server stores
    source: str


def mode_renames() -> list[ModeRename]:
    """Every deployment-mode rename some release's KServe makes on admission."""
    return [ModeRename(r["from"], r["to"], r["source"]) for r in _data()["deploymentModeRenames"]]
