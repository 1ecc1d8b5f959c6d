"""The SimPy shell: processes that move time and call the pure core."""
