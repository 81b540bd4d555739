"""The schema stage through kubeconform, when it is on PATH: same folders, same strictness.

Schema files are named `{kind}-{group}-{version}.json` with the full group. kubeconform's
`{{ .Group }}` is the full group, but for a core kind ("v1") it is "v1", where our file is
`{kind}-v1.json`: that is its `{{ .ResourceKind }}{{ .KindSuffix }}`, so each folder is given
with both templates.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from pathlib import Path

from generator.core import yamlio
from generator.core.errors import UsageError
from generator.core.resources import Obj, ident_str
from generator.store.atomic import copy_folder_atomic


def available() -> bool:
    return shutil.which("kubeconform") is not None


def _locations(folders: list[Path]) -> list[str]:
    out = []
    for f in folders:
        out += [
            "-schema-location",
            f"{f}/{{{{ .ResourceKind }}}}-{{{{ .Group }}}}-{{{{ .ResourceAPIVersion }}}}.json",
            "-schema-location",
            f"{f}/{{{{ .ResourceKind }}}}{{{{ .KindSuffix }}}}.json",
        ]
    return out


def validate(
    objs: list[Obj], folders: list[Path], k8s: str, ignore_missing: bool, hint: str
) -> list[tuple[str, str, str]]:
    """(object, field path, message) per problem."""
    with tempfile.TemporaryDirectory(prefix="rhoai-gitops-kubeconform-") as tmp:
        # One file per object: kubeconform reports file names, which map back to identities.
        names = {}
        for i, o in enumerate(objs):
            path = Path(tmp) / f"{i:06d}.yaml"
            path.write_text(yamlio.dumps(o), encoding="utf-8")
            names[str(path)] = ident_str(o)
        cmd = [
            "kubeconform",
            "-strict",
            "-summary",
            "-output",
            "json",
            "-kubernetes-version",
            f"{k8s}.0",
            *_locations(folders),
        ]
        if ignore_missing:
            cmd.append("-ignore-missing-schemas")
        proc = subprocess.run([*cmd, tmp], capture_output=True, text=True)
    try:
        result = json.loads(proc.stdout)
    except ValueError:
        raise UsageError(f"kubeconform failed: {(proc.stderr or proc.stdout).strip()[-2000:]}") from None
    found = []
    for r in result.get("resources") or []:
        status = r.get("status")
        if status == "statusInvalid":
            errors = r.get("validationErrors") or [{"path": "", "msg": r.get("msg", "")}]
            for e in errors:
                field = ".".join(p for p in (e.get("path") or "").split("/") if p)
                found.append((names.get(r.get("filename", ""), r.get("filename", "")), field, e.get("msg", "")))
        elif status == "statusError":
            msg = r.get("msg", "")
            found.append(
                (
                    names.get(r.get("filename", ""), r.get("filename", "")),
                    "",
                    f"{msg}: {hint}" if "could not find schema" in msg else msg,
                )
            )
    return found


def folders(sources: list, cache: Path) -> list[Path]:
    """kubeconform reads schema folders only: a mapping source (the shipped schemas, named by
    content) is copied into a folder of its own under `cache`, once per content."""
    import hashlib
    from collections.abc import Mapping

    out = []
    for source in sources:
        if not isinstance(source, Mapping):
            out.append(source)
            continue
        digest = hashlib.sha256(json.dumps({k: str(v) for k, v in sorted(source.items())}).encode()).hexdigest()[:16]
        folder = cache / digest
        if not folder.is_dir():
            copy_folder_atomic(source, folder)
        out.append(folder)
    return out
