"""Pre-merge validation: up-to-date, build, schema, cross-object, policy."""
