"""The ground floor: errors, YAML I/O, Kubernetes objects as data, secrets, quantities, file and object names; imports nothing of the project above it."""
