"""One self-contained HTML page: escaped text, tables, figures embedded as base64 PNG.

Nothing here reads a folder or computes a result; the page links to nothing outside itself (no
scripts, fonts, style sheets or images from elsewhere), so it reads the same when mailed on.
"""

from __future__ import annotations

import base64
import html
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from matplotlib.figure import Figure

from sim.plots.save import render

MARKER = "<!-- scaleup report -->"
"""The second line of every page :mod:`sim.report` writes (after the doctype): the only files it
overwrites are those that carry it."""
REPORT_DPI = 110
"""Resolution of the embedded figures (dots per inch): sharp on a screen, a page of ~1-2 MB."""

STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif;
       max-width: 1100px; margin: 2em auto; padding: 0 1.5em; color: #1a1a1a; line-height: 1.45; }
h1 { font-size: 1.7em; margin-bottom: 0.2em; }
h2 { font-size: 1.3em; margin-top: 2em; border-bottom: 1px solid #ccc; padding-bottom: 0.2em; }
.sub { color: #555; margin-top: 0; }
.lead { font-size: 1.15em; background: #f3f6fa; border-left: 4px solid #0072B2;
        padding: 0.7em 1em; }
table { border-collapse: collapse; margin: 0.8em 0; font-variant-numeric: tabular-nums; }
th, td { padding: 0.25em 0.8em; border-bottom: 1px solid #e3e3e3; text-align: right; }
th { background: #f5f5f5; }
th:first-child, td:first-child { text-align: left; }
table.answer td:first-child { color: #444; }
table.answer td:last-child { font-weight: 600; text-align: left; }
figure { margin: 1.5em 0; }
figure img { max-width: 100%; height: auto; border: 1px solid #eee; }
figcaption { color: #555; font-size: 0.9em; }
pre { background: #f7f7f7; padding: 1em; overflow-x: auto; font-size: 0.85em; }
.note { color: #555; font-size: 0.9em; }
"""


def esc(text: object) -> str:
    """``text`` safe inside HTML (quotes included)."""
    return html.escape(str(text), quote=True)


def table(
    header: Sequence[str], rows: Iterable[Sequence[object]], css_class: str | None = None
) -> str:
    """An HTML table of already formatted cells."""
    cls = f' class="{esc(css_class)}"' if css_class else ""
    head = "".join(f"<th>{esc(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{esc(c)}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table{cls}><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def figure(name: str, fig: Figure, dpi: int = REPORT_DPI) -> str:
    """``fig`` as an embedded PNG with its name as caption."""
    data = base64.b64encode(render(fig, "png", dpi)).decode("ascii")
    alt = esc(name.replace("_", " "))
    return (
        f'<figure><img src="data:image/png;base64,{data}" alt="{alt}" data-figure="{esc(name)}">'
        f"<figcaption>{alt}</figcaption></figure>"
    )


@dataclass
class Page:
    """A report page built section by section."""

    title: str
    subtitle: str = ""
    parts: list[str] = field(default_factory=list)

    def lead(self, text: str) -> None:
        self.parts.append(f'<p class="lead">{esc(text)}</p>')

    def section(self, heading: str, *html_parts: str) -> None:
        self.parts.append(f"<h2>{esc(heading)}</h2>" + "".join(html_parts))

    def html(self) -> str:
        sub = f'<p class="sub">{esc(self.subtitle)}</p>' if self.subtitle else ""
        return (
            f"<!DOCTYPE html>\n{MARKER}\n"
            '<html lang="en"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{esc(self.title)}</title><style>{STYLE}</style></head>"
            f"<body><h1>{esc(self.title)}</h1>{sub}{''.join(self.parts)}"
            '<p class="note">Written by scaleup report from the folder\'s own files.</p>'
            "</body></html>\n"
        )


def note(text: str) -> str:
    return f'<p class="note">{esc(text)}</p>'


def pre(text: str) -> str:
    return f"<pre>{esc(text)}</pre>"
