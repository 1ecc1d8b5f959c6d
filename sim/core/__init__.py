"""Pure numeric core: calendars, ramp and learning curves, demand, the books. No SimPy, no I/O."""
