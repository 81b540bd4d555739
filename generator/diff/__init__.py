"""Diffing: committed tree vs fresh render (check), spec revisions (plan), desired vs live (drift)."""
