"""Disk state: the generated-tree index, staging, swap-in and recovery, the render lock, the render and verdict caches, and the one atomic-write helper."""
