"""`adapt evaluations ...`: create (with a progress bar), get, list, watch, cancel, delete, report."""
from __future__ import annotations

from pathlib import Path

import click

from adapt._cli_resources import ResourceCommands, client_of as _client
from adapt._progress import console


@click.group()
def evaluations():
    """Baseline candidate models on a dataset: leaderboard, confidence intervals, winner, report."""


@evaluations.command("create")
@click.argument("dataset_id")
@click.option("--candidate", "candidates", multiple=True, required=True,
              help="a model id (e.g. whisper-tiny.en, pocketsphinx-en-us) or diarizer (adapt-diarizer); repeatable")
@click.option("--metric", "metrics", multiple=True,
              help="wer, cer, diarization_error_rate, realtime_factor, hallucination_rate (repeatable)")
@click.option("--split", type=click.Choice(["all", "train", "holdout"]), default="all", show_default=True)
@click.option("--primary-metric", default="", help="the metric the winner is decided on (default: wer)")
@click.option("--normalizer", type=click.Choice(["", "whisper_english", "basic", "none"]), default="",
              help="text normalizer applied before scoring (default: whisper_english)")
@click.option("--max-rtf", type=float, default=None, help="gate: maximum real-time factor")
@click.option("--max-hallucination-rate", type=float, default=None, help="gate: maximum hallucination rate (0..1)")
@click.option("--max-reference-regression", type=float, default=None,
              help="gate: maximum relative WER regression on --reference-dataset vs --reference-baseline")
@click.option("--reference-dataset", default="", help="gate: general-speech dataset id for the forgetting check")
@click.option("--reference-baseline", default="", help="gate: model id the forgetting check compares with")
@click.option("--name", default="")
@click.option("--no-wait", is_flag=True, help="return once the evaluation is accepted")
@click.pass_context
def evaluations_create(ctx, dataset_id, candidates, metrics, split, primary_metric, normalizer, max_rtf,
                       max_hallucination_rate, max_reference_regression, reference_dataset, reference_baseline,
                       name, no_wait):
    client = _client(ctx)
    gates = {key: value for key, value in (
        ("max_rtf", max_rtf), ("max_hallucination_rate", max_hallucination_rate),
        ("max_reference_regression", max_reference_regression), ("reference_dataset_id", reference_dataset),
        ("reference_baseline", reference_baseline)) if value not in (None, "")}
    run = client.evaluations.create(dataset_id=dataset_id, candidates=list(candidates), metrics=list(metrics),
                                    split=split, primary_metric=primary_metric, normalizer=normalizer, gates=gates,
                                    name=name)
    EVALUATIONS.created(client, run.id, no_wait)


@evaluations.command("delete")
@click.argument("evaluation_id")
@click.pass_context
def evaluations_delete(ctx, evaluation_id):
    _client(ctx).evaluations.delete(evaluation_id)
    click.echo(f"deleted {evaluation_id}")


@evaluations.command("report")
@click.argument("evaluation_id")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="folder to write report.html (and plotly.min.js) into")
@click.pass_context
def evaluations_report(ctx, evaluation_id, out_dir):
    """Write an HTML report with plots: WER per slice with intervals, error types, RTF, ..."""
    client = _client(ctx)
    evaluation = client.evaluations.get(evaluation_id)
    if str(evaluation.state) != "SUCCEEDED":
        raise click.ClickException(f"evaluation {evaluation_id} is {evaluation.state}; a report needs a SUCCEEDED "
                                   "one (adapt evaluations watch ID)")
    path = client.evaluations.report(evaluation_id, out_dir)
    click.echo(str(path))


def print_evaluation(e) -> None:
    click.echo(f"{e.id}  {e.state}  dataset {e.dataset_id}  split {e.split}  primary {e.primary_metric}")
    if e.error:
        click.echo(f"error: {e.error.code}: {e.error.message}")
    if e.leaderboard:
        click.echo(str(e.leaderboard))
        click.echo(f"winner: {e.winner or 'none'}")
        click.echo(f"reason: {e.reason}")
    for note in e.notes:
        console.print(f"[yellow]note[/]: {note}")


EVALUATIONS = ResourceCommands(
    "evaluations", "evaluation", show=print_evaluation, progress="evaluate",
    row=lambda e: f"{e.id}\t{e.state}\t{e.dataset_id}\t{e.split}\t{','.join(e.candidates)}\twinner={e.winner or '-'}",
    list_options=(click.option("--dataset", "dataset_id", default="", help="only evaluations of this dataset"),))
EVALUATIONS.add_to(evaluations)
