"""Results on disk: written atomically, read back typed, one lifecycle for every folder kind.

* :mod:`sim.io.paths`    which output paths may be written; OS errors as one line
* :mod:`sim.io.atomic`   atomic files; leftovers of killed writers
* :mod:`sim.io.folder`   a results folder's manifest (kind, spec hash, status), lock and rules
* :mod:`sim.io.staged`   folders written whole and swapped in by rename (run folders)
* :mod:`sim.io.readers`  reading results files back, one line naming a damaged file
* :mod:`sim.io.rundir`   the run folder: ``write_run`` and ``read_run``

Sweep and sensitivity folders keep only what is their own in :mod:`sim.experiments.store` and
:mod:`sim.analysis.folder`. This package never imports the plots package (figures are
written through a callback), and plots never import it.
"""
