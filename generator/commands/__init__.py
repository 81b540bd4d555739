"""Subcommands beyond the core (lint, schemas, init, render): importing a module registers it."""
