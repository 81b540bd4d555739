"""The platform's units: the operators, the DataScienceCluster and its components, GPU pools,
quotas, access and monitoring, each a module defining `COMPONENT` (registered in
generator/units.py)."""
