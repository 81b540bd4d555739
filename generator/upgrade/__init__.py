"""Upgrades: the OLM path through the catalog graph and the report `rhoai-gitops upgrade` prints."""
