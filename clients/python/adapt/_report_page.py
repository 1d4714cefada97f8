"""What the SDK's HTML reports share (adapt/_evaluation_report.py, adapt/_fine_tune_report.py): the page with
its offline plotly library, a plot's section, and number formatting.

Each report is DIR/report.html next to DIR/plotly.min.js (plotly's JS from the plotly Python package, no CDN),
each plot a `<div id="plot-KEY">` drawn by a `Plotly.newPlot` call.
"""
from __future__ import annotations

import html
import math
from pathlib import Path

PLOTLY_JS = "plotly.min.js"


def write_page(out_dir: Path, title: str, sections: list[str]) -> Path:
    """Writes out_dir/plotly.min.js and out_dir/report.html (the title escaped here; the sections are HTML whose
    makers escaped their strings); returns the report's path."""
    from plotly.offline import get_plotlyjs

    out_dir.mkdir(parents=True, exist_ok=True)
    page = _PAGE.format(title=html.escape(title), plotly=PLOTLY_JS, body="\n".join(sections))
    (out_dir / PLOTLY_JS).write_text(get_plotlyjs(), encoding="utf-8")
    path = out_dir / "report.html"
    path.write_text(page, encoding="utf-8")
    return path


def plot_section(key: str, title: str, figure) -> str:
    """Returns the HTML of an `<h2>` title and the plotly figure drawn into `<div id="plot-KEY">`."""
    return f"<h2>{html.escape(title)}</h2>\n" + figure.to_html(
        full_html=False, include_plotlyjs=False, div_id=f"plot-{key}", config={"displaylogo": False})


def ok(value) -> bool:
    """Returns whether value is known: not None and not NaN."""
    return value is not None and not (isinstance(value, float) and math.isnan(value))


def finite(value):
    """Returns value when it is a finite number, else None (a gap in a plot)."""
    return value if ok(value) and math.isfinite(value) else None


def fmt(value) -> str:
    """Returns value with 4 decimals, "-" when unknown."""
    return f"{value:.4f}" if ok(value) else "-"


_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<script src="{plotly}"></script>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2em auto; max-width: 1100px; color: #222; }}
table {{ border-collapse: collapse; margin: 1em 0; font-size: 14px; }}
td, th {{ border: 1px solid #ccc; padding: 4px 8px; text-align: left; vertical-align: top; }}
th {{ background: #f3f3f3; }}
.winner {{ font-size: 1.2em; }}
.pass {{ color: #16713a; }} .fail {{ color: #b3261e; }}
.sub {{ background: #fff0b3; }} .del {{ background: #ffd6d6; text-decoration: line-through; }}
.ins {{ background: #d6ecff; }}
.notes {{ color: #8a5a00; }}
.chosen {{ background: #e3f2e6; font-weight: bold; }}
</style></head><body>
{body}
</body></html>
"""
