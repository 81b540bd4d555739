"""Maintainer-side import of the upstream release data (CRDs per release, OLM catalogs) into the
project's own data files (`generator/data/upstream/`). Nothing here runs during a render."""
