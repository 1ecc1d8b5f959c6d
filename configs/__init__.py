"""The shipped scenario, variant, sweep and sensitivity files.

This folder is installed as the package data ``sim.configs``, so a wheel can run the default
scenario from any folder; it holds no code.
"""
