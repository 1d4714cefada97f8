"""`adapt evaluations report ID --out DIR`: an HTML report of a finished evaluation, plots made with plotly.

DIR/report.html holds one plotly figure per section (each a `<div class="plot" id="plot-...">` drawn by a
`Plotly.newPlot` call) and the tables; DIR/plotly.min.js is the plotly library the page loads (written once,
so the report opens offline). Sections: the leaderboard (WER with 95% intervals), WER per slice (speaker,
recording, source) with intervals, error types (substitutions / deletions / insertions), real-time factor with
intervals, hallucination rate, DER per recording (diarizers), the words most often wrong, and the utterances
with errors, their alignment marked.
"""
from __future__ import annotations

import html
from collections import defaultdict
from pathlib import Path

from adapt._report_page import finite, fmt, ok, plot_section, write_page

MAX_ERROR_UTTERANCES = 200  # per-utterance rows listed in the report
SLICE_TITLES = {"speaker": "WER per speaker", "recording": "WER per recording", "source": "WER per source"}


def write_report(evaluation, utterances, out_dir: Path) -> Path:
    """Writes out_dir/report.html and out_dir/plotly.min.js; returns the report's path.

    evaluation: an adapt.Evaluation (SUCCEEDED); utterances: its UtteranceResults.
    """
    sections = [_header(evaluation)]
    for key, (title, figure) in build_figures(evaluation).items():
        sections.append(plot_section(key, title, figure))
        if key == "leaderboard":
            sections.append(_leaderboard_table(evaluation))
    sections.append(_wrong_words_table(evaluation))
    sections.append(_utterance_table(utterances))
    return write_page(out_dir, f"Evaluation {evaluation.id}", sections)


def build_figures(evaluation) -> dict:
    """section key -> (title, plotly Figure), in page order."""
    import plotly.graph_objects as go

    asr = [row for row in evaluation.leaderboard if row.kind == "asr"]
    figures = {}
    if asr:
        figures["leaderboard"] = ("Leaderboard: WER with 95% confidence intervals",
                                  _bars(go, [r.model_id for r in asr], [r.wer for r in asr],
                                        [r.wer_ci for r in asr], "WER"))
        by_slice = defaultdict(list)
        for s in evaluation.slices:
            by_slice[s.by].append(s)
        for by, rows in by_slice.items():
            figure = go.Figure()
            for model_id in [r.model_id for r in asr]:
                mine = sorted((s for s in rows if s.model_id == model_id), key=lambda s: s.key)
                figure.add_trace(go.Bar(name=model_id, x=[s.key or "(unknown)" for s in mine],
                                        y=[finite(s.wer) for s in mine],
                                        error_y=_error_bars([s.wer for s in mine], [s.wer_ci for s in mine])))
            figure.update_layout(barmode="group", yaxis_title="WER", xaxis_title=by, height=420,
                                 margin={"t": 30})
            figures[f"slice-{by}"] = (f"{SLICE_TITLES.get(by, by)} (95% intervals over the slice's utterances)",
                                      figure)
        figure = go.Figure()
        for label, attribute in (("substitutions", "substitutions"), ("deletions", "deletions"),
                                 ("insertions", "insertions")):
            figure.add_trace(go.Bar(name=label, x=[r.model_id for r in asr], y=[getattr(r, attribute) for r in asr]))
        figure.update_layout(barmode="stack", yaxis_title="word errors", height=380, margin={"t": 30})
        figures["error-types"] = ("Error types: substitutions, deletions, insertions", figure)
        figures["rtf"] = ("Real-time factor (processing s / audio s, on the Transcribe path) with 95% intervals",
                          _bars(go, [r.model_id for r in asr], [r.rtf for r in asr], [r.rtf_ci for r in asr], "RTF"))
        figures["hallucination"] = ("Hallucination rate (utterances with words on non-speech or a repetition loop)",
                                    _bars(go, [r.model_id for r in asr], [r.hallucination_rate for r in asr],
                                          [r.hallucination_rate_ci for r in asr], "hallucination rate"))
    if evaluation.diarization:
        figure = go.Figure()
        for model_id in sorted({d.model_id for d in evaluation.diarization}):
            mine = [d for d in evaluation.diarization if d.model_id == model_id]
            figure.add_trace(go.Bar(name=model_id, x=[d.recording_id for d in mine], y=[finite(d.der) for d in mine]))
        figure.update_layout(barmode="group", yaxis_title="DER", height=420, margin={"t": 30})
        figures["der"] = ("Diarization error rate per recording", figure)
    return figures


def _bars(go, names, values, intervals, axis_title):
    figure = go.Figure(go.Bar(x=names, y=[finite(v) for v in values], error_y=_error_bars(values, intervals),
                              text=[fmt(v) for v in values], textposition="outside"))
    figure.update_layout(yaxis_title=axis_title, yaxis_rangemode="tozero", height=380, margin={"t": 30})
    return figure


def _error_bars(values, intervals) -> dict:
    """Asymmetric error bars from point estimates and their [low, high] intervals (0 where unknown)."""
    plus = [max(0.0, i.high - v) if ok(v) and ok(i.high) else 0.0 for v, i in zip(values, intervals)]
    minus = [max(0.0, v - i.low) if ok(v) and ok(i.low) else 0.0 for v, i in zip(values, intervals)]
    return {"type": "data", "symmetric": False, "array": plus, "arrayminus": minus}


def _header(evaluation) -> str:
    winner = evaluation.winner or "none"
    notes = "".join(f"<li>{html.escape(n)}</li>" for n in evaluation.notes)
    gates = "".join(f"<li class='{'pass' if g.passed else 'fail'}'>{html.escape(g.model_id)}: {html.escape(g.gate)} "
                    f"limit {g.limit:g}, measured {fmt(g.measured)} {'passed' if g.passed else 'FAILED'}"
                    f"{' (' + html.escape(g.detail) + ')' if g.detail else ''}</li>" for g in evaluation.gate_results)
    return (f"<h1>Evaluation {html.escape(evaluation.id)}</h1>"
            f"<p>dataset <code>{html.escape(evaluation.dataset_id)}</code>, split <b>{html.escape(evaluation.split)}"
            f"</b>, normalizer {html.escape(evaluation.normalizer)}, primary metric "
            f"<b>{html.escape(evaluation.primary_metric)}</b>, candidates: "
            f"{html.escape(', '.join(evaluation.candidates))}</p>"
            f"<p class='winner'>Winner: <b>{html.escape(winner)}</b></p><p>{html.escape(evaluation.reason)}</p>"
            + (f"<h3>Gates</h3><ul>{gates}</ul>" if gates else "") + (f"<ul class='notes'>{notes}</ul>" if notes else ""))


def _leaderboard_table(evaluation) -> str:
    general = any(getattr(r, "reference_wer", None) is not None for r in evaluation.leaderboard)
    head = ("<tr><th>model</th><th>WER [95% CI]</th>" + ("<th>general-speech WER [95% CI]</th>" if general else "")
            + "<th>CER [95% CI]</th><th>RTF [95% CI]</th>"
            "<th>hallucination rate</th><th>DER [95% CI]</th><th>S / D / I</th><th>utterances</th></tr>")
    rows = []
    for r in evaluation.leaderboard:
        der = f"{fmt(r.der)} {_ci(r.der_ci)}" if r.der is not None else "-"
        general_cell = ""
        if general:
            general_cell = (f"<td>{fmt(r.reference_wer)} {_ci(r.reference_wer_ci)}</td>"
                            if r.reference_wer is not None else "<td>-</td>")
        rows.append(f"<tr><td>{html.escape(r.model_id)}</td><td>{fmt(r.wer)} {_ci(r.wer_ci)}</td>{general_cell}"
                    f"<td>{fmt(r.cer)} {_ci(r.cer_ci)}</td><td>{fmt(r.rtf)} {_ci(r.rtf_ci)}</td>"
                    f"<td>{fmt(r.hallucination_rate)}</td><td>{der}</td>"
                    f"<td>{r.substitutions} / {r.deletions} / {r.insertions}</td><td>{r.utterances}</td></tr>")
    return f"<table class='leaderboard'>{head}{''.join(rows)}</table>"


def _wrong_words_table(evaluation) -> str:
    if not evaluation.wrong_words:
        return ""
    rows = "".join(f"<tr><td>{html.escape(w.model_id)}</td><td>{html.escape(w.word)}</td><td>{w.errors}</td>"
                   f"<td>{w.substitutions}</td><td>{w.deletions}</td><td>{html.escape(w.top_hypothesis or '-')}"
                   f"{f' ({w.top_hypothesis_count})' if w.top_hypothesis else ''}</td></tr>"
                   for w in evaluation.wrong_words)
    return ("<h2>Words most often wrong</h2><table><tr><th>model</th><th>reference word</th><th>errors</th>"
            f"<th>substituted</th><th>deleted</th><th>most often written as</th></tr>{rows}</table>")


def _utterance_table(utterances) -> str:
    wrong = [u for u in utterances if u.substitutions + u.deletions + u.insertions > 0][:MAX_ERROR_UTTERANCES]
    if not wrong:
        return "<h2>Utterances with errors</h2><p>none</p>"
    rows = "".join(f"<tr><td>{html.escape(u.model_id)}</td><td>{html.escape(u.utterance_id)}</td>"
                   f"<td>{fmt(u.wer)}</td><td class='alignment'>{_alignment(u.alignment)}</td></tr>" for u in wrong)
    return ("<h2>Utterances with errors</h2><p>Alignment: <span class='sub'>substitution (reference→hypothesis)"
            "</span> <span class='del'>deletion</span> <span class='ins'>insertion</span></p>"
            f"<table><tr><th>model</th><th>utterance</th><th>WER</th><th>alignment</th></tr>{rows}</table>")


def _alignment(pairs) -> str:
    parts = []
    for op, ref, hyp in pairs:
        if op == "equal":
            parts.append(html.escape(ref))
        elif op == "substitute":
            parts.append(f"<span class='sub'>{html.escape(ref)}→{html.escape(hyp)}</span>")
        elif op == "delete":
            parts.append(f"<span class='del'>{html.escape(ref)}</span>")
        else:
            parts.append(f"<span class='ins'>{html.escape(hyp)}</span>")
    return " ".join(parts)


def _ci(interval) -> str:
    return f"[{fmt(interval.low)}, {fmt(interval.high)}]" if interval is not None else ""

