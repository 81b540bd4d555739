"""Subcommands beyond the core (lint, schemas, init, render): importing a module registers it."""

from generator.commands import (  # noqa: F401
    capacity,
    check,
    drift,
    mirror,
    plan,
    releases,
    teams,
    upgrade,
    validate,
    verify_argocd,
)
