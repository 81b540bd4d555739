"""GPU capacity: the pools' sums and the teams' share, and the scheduling simulation of a rendered cluster."""
