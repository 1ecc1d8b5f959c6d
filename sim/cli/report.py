"""``scaleup report DIR [--out FILE]``: one self-contained HTML page for a results folder.

A thin command over :func:`sim.report.write_report`. Exit status: 0 written, 1 the disk
failed, 2 not a folder this command knows, a damaged file, or an output file that is not a
scaleup report (it is never overwritten).
"""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "report",
        help="write one HTML page for a run, sweep or sensitivity folder",
        description="Write one self-contained HTML page (figures embedded) for a run, sweep or "
        "sensitivity folder: the answer first, then the figures, every quarter and the "
        "scenario as run.",
    )
    p.add_argument(
        "dir", metavar="DIR", help="a folder written by scaleup run, sweep or sensitivity"
    )
    p.add_argument("--out", metavar="FILE", help="the page to write (default: DIR.html beside DIR)")
    p.set_defaults(func=cmd_report)


def cmd_report(args: argparse.Namespace) -> int:
    from sim.errors import ConfigError
    from sim.io.paths import shown
    from sim.report import write_report

    try:
        path = write_report(args.dir, args.out)
    except ConfigError as exc:
        if args.out and exc.source == shown(args.out):
            raise ConfigError(exc.source, "--out", exc.message) from None
        raise
    print(f"Wrote {shown(path)}")
    return 0
