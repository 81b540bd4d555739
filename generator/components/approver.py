"""The InstallPlan approver for Manual approval: a CronJob with its own ServiceAccount that may
only read and approve InstallPlans in the namespaces of Manual Subscriptions, running a script
shipped as data (generator/data/approver/approve.sh, tested against InstallPlan samples) that
approves a plan only when every CSV it installs is pinned in git. So a pin moved in git is the
approval, and OLM's other plans (a newer release in the channel) wait.

Built as part of the unit holding the Subscriptions (a unit of its own would wait for their
namespace, and they for it: the Subscription holds its wave until the pinned CSV runs)."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

from generator.core.resources import Obj, annotate, obj
from generator.facts import matrix

PINNED = "rhoai-gitops.io/pinned-csv"
RBAC = "rbac.authorization.k8s.io/v1"
VERBS = ["get", "list", "patch", "watch"]
MOUNT = "/opt/approver"


@lru_cache(maxsize=1)
def script() -> str:
    return resources.files("generator").joinpath("data/approver/approve.sh").read_text(encoding="utf-8")


def pin(subscription: Obj, csv: str) -> None:
    """The CSV the Subscription must run, where its health check (subscription.lua) reads it:
    spec.startingCSV is read by OLM only at first install, and Argo CD ignores it afterwards."""
    annotate(subscription, PINNED, csv)


def objects(spec, pins: list[tuple[str, str]]) -> list[Obj]:
    """[(namespace, csv)] pinned under Manual approval -> the approver, in the first namespace;
    a Role and RoleBinding in each."""
    if not pins or not spec.distribution.approver.enabled:
        return []
    data = matrix.matrix().approver
    name = data.name
    home = pins[0][0]
    out: list[Obj] = [obj("v1", "ServiceAccount", name, home)]
    for ns in sorted({ns for ns, _ in pins}):
        out.append(
            obj(
                RBAC,
                "Role",
                name,
                ns,
                rules=[{"apiGroups": ["operators.coreos.com"], "resources": ["installplans"], "verbs": list(VERBS)}],
            )
        )
        out.append(
            obj(
                RBAC,
                "RoleBinding",
                name,
                ns,
                roleRef={"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": name},
                subjects=[{"kind": "ServiceAccount", "name": name, "namespace": home}],
            )
        )
    pins_text = "".join(f"{ns} {csv}\n" for ns, csv in sorted(pins))
    out.append(obj("v1", "ConfigMap", name, home, data={"approve.sh": script(), "pins": pins_text}))
    container = {
        "name": "approve",
        "image": data.image,
        "command": ["/bin/bash", f"{MOUNT}/approve.sh", f"{MOUNT}/pins"],
        "resources": {"requests": {"cpu": "10m", "memory": "64Mi"}, "limits": {"memory": "128Mi"}},
        "securityContext": {
            "allowPrivilegeEscalation": False,
            "capabilities": {"drop": ["ALL"]},
            "readOnlyRootFilesystem": True,
            "runAsNonRoot": True,
        },
        # oc keeps a discovery cache under $HOME; the root filesystem is read-only.
        "env": [{"name": "HOME", "value": "/tmp"}],
        "volumeMounts": [
            {"name": "approver", "mountPath": MOUNT, "readOnly": True},
            {"name": "tmp", "mountPath": "/tmp"},
        ],
    }
    pod = {
        "serviceAccountName": name,
        "restartPolicy": "Never",
        "securityContext": {"seccompProfile": {"type": "RuntimeDefault"}},
        "containers": [container],
        "volumes": [{"name": "approver", "configMap": {"name": name}}, {"name": "tmp", "emptyDir": {}}],
    }
    out.append(
        obj(
            "batch/v1",
            "CronJob",
            name,
            home,
            spec={
                "schedule": spec.distribution.approver.schedule,
                "concurrencyPolicy": "Forbid",
                "successfulJobsHistoryLimit": 1,
                "failedJobsHistoryLimit": 3,
                "jobTemplate": {"spec": {"backoffLimit": 2, "activeDeadlineSeconds": 600, "template": {"spec": pod}}},
            },
        )
    )
    return out
