"""One finding of the validation pipeline, the shape every stage reports in."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from generator.core.errors import escape

STAGES = ("up-to-date", "build", "schema", "cross-object", "policy")


@dataclass(frozen=True, order=True)
class Finding:
    cluster: str
    stage: str  # one of STAGES
    object: str  # "Kind group ns/name", a file path, or "" for the cluster as a whole
    path: str  # field path inside the object (or "")
    message: str

    def __str__(self) -> str:
        # The bundle's names, keys and values, which a merge request writes, shown escaped; the
        # message's own lines (a build's output) kept.
        where = " ".join(escape(p) for p in (self.object, self.path) if p)
        message = "\n".join(map(escape, self.message.split("\n")))
        return f"{self.cluster}: {self.stage}: {where + ': ' if where else ''}{message}"

    def as_dict(self) -> dict:
        return asdict(self)
