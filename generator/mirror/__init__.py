"""Mirroring: the oc-mirror ImageSetConfiguration a fleet needs, checked against oc-mirror's own loading rules."""
