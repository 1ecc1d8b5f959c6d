"""``python -m sim`` does what ``scaleup`` does.

Ctrl-C while the command line is still importing its modules ends the process with one line
and exit status 130, like an interruption at any later moment (:func:`sim.cli.main.main`
takes over the handling as soon as it starts).
"""

import os
import signal
import sys


def _interrupted_early(signum: int, frame: object) -> None:
    os.write(2, b"scaleup: interrupted\n")
    os._exit(130)


def entry() -> int:
    """The command line, with Ctrl-C handled from the first import on."""
    signal.signal(signal.SIGINT, _interrupted_early)
    from sim.cli.main import main

    return main()


if __name__ == "__main__":
    sys.exit(entry())
