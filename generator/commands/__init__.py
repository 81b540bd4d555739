"""Subcommands beyond the core (lint, schemas, init, render): importing a module registers it."""
from generator.commands import verify_argocd  # noqa: F401
from generator.commands import capacity  # noqa: F401
from generator.commands import validate  # noqa: F401
from generator.commands import check, drift, plan  # noqa: F401
from generator.commands import releases  # noqa: F401
from generator.commands import upgrade  # noqa: F401
from generator.commands import mirror  # noqa: F401
from generator.commands import teams  # noqa: F401
