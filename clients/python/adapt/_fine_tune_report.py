"""`adapt fine-tunes report ID --out DIR`: an HTML report of a finished fine-tune, its plot made with plotly.

DIR/report.html holds the header (fine-tune, base model, dataset, resulting model, state), the hyperparameters,
the training metrics and exports, and the interpolation selection (WiSE-FT, metrics["interpolation"] written by
adapt_server/training/job.py): its reason, the chosen share with both WERs against the base, the budget, the
whole curve as a table and as a plot (`<div id="plot-interpolation">`: domain and general-speech WER per share,
the budget line, the chosen point). DIR/plotly.min.js is the plotly library the page loads (adapt/_report_page.py).
"""
from __future__ import annotations

import html
import json
import math
from pathlib import Path

from adapt._report_page import finite, fmt, ok, plot_section, write_page

TRAINING_METRICS = (  # metrics[key] -> its label, in table order; other metrics follow under their own names
    ("train_loss_first", "train loss, first step"), ("train_loss", "train loss, last step"),
    ("holdout_loss_after", "holdout loss after training"), ("steps", "steps"),
    ("resumed_from_step", "resumed from step"), ("train_seconds", "train seconds"),
    ("median_step_seconds", "median step seconds"), ("peak_memory_mb", "peak memory (MB)"), ("device", "device"),
    ("train_utterances", "train utterances"), ("holdout_utterances", "holdout utterances"),
    ("holdout_source", "holdout source"), ("mixin_utterances", "mixed-in general-speech utterances"),
    ("train_seconds_of_audio", "seconds of training audio"), ("weight_interpolation", "interpolation share kept"),
    ("total_seconds", "total seconds"))
NOT_TRAINING_METRICS = {"interpolation", "export_bytes", "export_seconds"}  # shown in their own sections


def write_report(fine_tune, out_dir: Path) -> Path:
    """Writes out_dir/report.html and out_dir/plotly.min.js; returns the report's path.

    fine_tune: an adapt.FineTune (SUCCEEDED), whose metrics hold the training numbers and the interpolation.
    """
    return write_page(out_dir, f"Fine-tune {fine_tune.id}", [
        _header(fine_tune), _table("Hyperparameters", sorted(fine_tune.hyperparameters.items())),
        _training_metrics(fine_tune.metrics), _exports(fine_tune), _interpolation(fine_tune.metrics)])


def interpolation_figure(selection: dict):
    """Returns the plotly Figure of the interpolation curve: domain and general-speech WER against the share,
    the general-speech budget line (base general WER x (1 + budget)) and the chosen point."""
    import plotly.graph_objects as go

    curve = sorted(selection["curve"], key=lambda p: p["share"])
    shares = [p["share"] for p in curve]
    figure = go.Figure()
    for key, name in (("domain_wer", "domain WER (held-out training slice)"), ("general_wer", "general-speech WER")):
        figure.add_trace(go.Scatter(name=name, x=shares, y=[finite(p.get(key)) for p in curve], mode="lines+markers"))
    limit = _budget_limit(selection)
    if limit is not None:
        figure.add_trace(go.Scatter(name=f"budget: base general-speech WER x (1 + {selection['budget']:g})",
                                    x=[shares[0], shares[-1]], y=[limit, limit], mode="lines",
                                    line={"dash": "dash", "color": "#b3261e"}))
    chosen = [w for w in (finite(selection.get("domain_wer")), finite(selection.get("general_wer"))) if w is not None]
    figure.add_trace(go.Scatter(name=f"chosen share {selection['chosen_share']:g}",
                                x=[selection["chosen_share"]] * len(chosen), y=chosen, mode="markers",
                                marker={"size": 16, "symbol": "star", "color": "#16713a"}))
    figure.update_layout(xaxis_title="share of the fine-tune's change kept (0 = base, 1 = tuned)", yaxis_title="WER",
                         yaxis_rangemode="tozero", height=420, margin={"t": 30})
    return figure


def _header(fine_tune) -> str:
    mixin = (f", general speech mixed in from <code>{html.escape(fine_tune.mixin_dataset_id)}</code>"
             if fine_tune.mixin_dataset_id else "")
    return (f"<h1>Fine-tune {html.escape(fine_tune.id)}</h1>"
            f"<p>base model <code>{html.escape(fine_tune.base_model)}</code>, dataset "
            f"<code>{html.escape(fine_tune.dataset_id)}</code>{mixin}, state <b>{html.escape(str(fine_tune.state))}"
            f"</b></p><p>resulting model <code>{html.escape(fine_tune.model_id or '-')}</code></p>")


def _training_metrics(metrics: dict) -> str:
    labels = dict(TRAINING_METRICS)
    known = [(labels[key], metrics[key]) for key in labels if key in metrics]
    others = [(key, metrics[key]) for key in sorted(set(metrics) - set(labels) - NOT_TRAINING_METRICS)]
    return _table("Training", known + others)


def _exports(fine_tune) -> str:
    sizes, seconds = fine_tune.metrics.get("export_bytes", {}), fine_tune.metrics.get("export_seconds", {})
    formats = sorted({*fine_tune.export_formats, *sizes, *seconds})
    if not formats:
        return ""
    rows = "".join(f"<tr><td>{html.escape(name)}</td><td>{_megabytes(sizes.get(name))}</td>"
                   f"<td>{html.escape(_value(seconds.get(name)))}</td></tr>" for name in formats)
    return f"<h2>Exports</h2><table><tr><th>format</th><th>size (MB)</th><th>export seconds</th></tr>{rows}</table>"


def _interpolation(metrics: dict) -> str:
    selection = metrics.get("interpolation") or {}
    title = "<h2>Interpolation (WiSE-FT): the share of the change kept</h2>"
    if "curve" not in selection:
        share = metrics.get("weight_interpolation")
        reason = selection.get("reason") or "no interpolation selection ran" + (
            f"; share {_value(share)} kept" if share is not None else "")
        return f"{title}<p>{html.escape(reason)}</p>"
    limit = _budget_limit(selection)
    summary = _table(None, [
        ("chosen share", f"{selection['chosen_share']:g} (0 = the base model, 1 = the tuned weights)"),
        ("domain WER (held-out training slice)", f"{fmt(selection.get('domain_wer'))} "
                                                 f"(base {fmt(selection.get('base_domain_wer'))})"),
        ("general-speech WER", f"{fmt(selection.get('general_wer'))} (base {fmt(selection.get('base_general_wer'))}, "
                               f"{_regression(_chosen_point(selection).get('general_regression'))})"),
        ("forgetting budget", f"{selection['budget']:.1%} general-speech WER regression"
                              + (f" (general-speech WER at most {fmt(limit)})" if limit is not None else "")),
        ("within budget", "yes" if selection.get("within_budget") else
                          "no: the validation's forgetting gate decides"),
        ("scored on", f"{_value(selection.get('selection_utterances'))} held-out training utterances, "
                      f"{_value(selection.get('general_utterances'))} general-speech utterances"),
        ("selection time", f"{_value(selection.get('seconds'))} s"
                           + (f", {selection['share_of_train_seconds']:.0%} of the training time"
                              if ok(selection.get("share_of_train_seconds")) else ""))])
    return (f"{title}<p>{html.escape(selection.get('reason', ''))}</p>{summary}"
            + plot_section("interpolation", "Interpolation curve", interpolation_figure(selection))
            + _curve_table(selection))


def _curve_table(selection: dict) -> str:
    rows = []
    for point in sorted(selection["curve"], key=lambda p: p["share"]):
        chosen = _same_share(point["share"], selection["chosen_share"])
        mark = " class='chosen'" if chosen else ""
        rows.append(f"<tr{mark}><td>{point['share']:g}"
                    f"{' (base)' if point['share'] == 0 else ''}</td><td>{fmt(point.get('domain_wer'))}</td>"
                    f"<td>{fmt(point.get('general_wer'))}</td><td>{_regression(point.get('general_regression'))}</td>"
                    f"<td>{'&#9664; chosen' if chosen else ''}</td></tr>")
    return ("<table class='curve'><tr><th>share</th><th>domain WER</th><th>general-speech WER</th>"
            f"<th>general-speech regression</th><th></th></tr>{''.join(rows)}</table>")


def _table(title: str | None, rows: list[tuple[str, object]]) -> str:
    """Returns a two-column table (name, value; both escaped) under an `<h2>` title when given, "" when empty."""
    if not rows:
        return ""
    body = "".join(f"<tr><th>{html.escape(str(name))}</th><td>{html.escape(_value(value))}</td></tr>"
                   for name, value in rows)
    return (f"<h2>{html.escape(title)}</h2>" if title else "") + f"<table>{body}</table>"


def _value(value) -> str:
    """Returns a metric or hyperparameter as text (not escaped): whole numbers without decimals (a Struct holds
    every number as a float), others to 6 significant digits, lists and objects as JSON, "-" when unknown."""
    if not ok(value):
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else f"{value:.6g}"
    if isinstance(value, (dict, list)):
        return json.dumps(value, sort_keys=True)
    return str(value)


def _megabytes(size) -> str:
    return f"{size / 1e6:.1f}" if ok(size) else "-"


def _regression(value) -> str:
    """Returns a relative general-speech WER change in % ("+5.0%"); None stands for infinite (the base made no
    error there)."""
    return f"{value:+.1%}" if ok(value) else "infinite (the base made no error)"


def _budget_limit(selection: dict) -> float | None:
    """Returns the general-speech WER the budget allows (base x (1 + budget)), None when the base is unknown."""
    base = finite(selection.get("base_general_wer"))
    return base * (1 + selection["budget"]) if base is not None else None


def _chosen_point(selection: dict) -> dict:
    return next((p for p in selection["curve"] if _same_share(p["share"], selection["chosen_share"])), {})


def _same_share(a: float, b: float) -> bool:
    return math.isclose(a, b, abs_tol=1e-9)
