"""The `adapt` command line: datasets, models, transcribe, evaluations, fine-tunes, deployments, synthesize,
voices, consent, lineage; and the
commands other installed packages add through the "adapt.commands" entry-point group: adapt-server adds
`serve` and `quickstart` (adapt_server/cli.py). A client-only install lists the client commands and says
where `serve` and `quickstart` come from when asked for them."""
from __future__ import annotations

import functools
import json
import sys
from importlib.metadata import EntryPoint, entry_points
from pathlib import Path

import click

from adapt._cli_resources import ResourceCommands, client_of as _client
from adapt._progress import console
from adapt._training_progress import follow_training
from adapt.errors import AdaptError

DEFAULT_TARGET = "localhost:50051"
COMMANDS_ENTRY_POINT_GROUP = "adapt.commands"   # name -> click command, e.g. serve = "adapt_server.cli:serve"
SERVER_COMMANDS = ("serve", "quickstart")         # what the server package registers there
SERVER_PACKAGE = ("the server package: pip install adapt-server (in a checkout of the repository: "
                  "bash scripts/setup.sh, which also registers the commands)")


@functools.cache
def _registered_commands() -> dict[str, EntryPoint]:
    """Commands installed packages registered in the "adapt.commands" entry-point group, by name."""
    return {ep.name: ep for ep in entry_points(group=COMMANDS_ENTRY_POINT_GROUP)}


class _Group(click.Group):
    """The `adapt` group: its own commands and the registered ones (loaded when used); SDK errors become one
    readable line and exit code 1 instead of a traceback."""

    def list_commands(self, ctx):
        return sorted({*super().list_commands(ctx), *_registered_commands()})

    def get_command(self, ctx, name):
        command = super().get_command(ctx, name)
        if command is None and name in _registered_commands():
            command = _registered_commands()[name].load()
        if command is None and name in SERVER_COMMANDS:
            raise click.UsageError(f"`adapt {name}` comes with {SERVER_PACKAGE}", ctx)
        return command

    def format_epilog(self, ctx, formatter):
        missing = [name for name in SERVER_COMMANDS if name not in _registered_commands()]
        if missing:
            formatter.write_paragraph()
            formatter.write_text(f"{' and '.join(missing)} come with {SERVER_PACKAGE}.")
        super().format_epilog(ctx, formatter)

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except AdaptError as exc:
            console.print(f"[red]error[/]: {exc}")
            sys.exit(1)


@click.group(cls=_Group)
@click.option("--target", envvar="ADAPT_TARGET", default=DEFAULT_TARGET, show_default=True,
              help="host:port of an Adapt server")
@click.option("--api-key", envvar="ADAPT_API_KEY", default=None,
              help="API key, when the server requires one (prefer ADAPT_API_KEY or --api-key-file: arguments are "
                   "visible to other users in the process list)")
@click.option("--api-key-file", envvar="ADAPT_API_KEY_FILE", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              default=None, help="read the API key from this file")
@click.option("--tls-ca", envvar="ADAPT_TLS_CA", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              default=None, help="PEM CA certificate of a TLS server (its presence turns TLS on)")
@click.option("--tls", "use_tls", is_flag=True, help="TLS with the system's CA certificates")
@click.option("--tls-cert", envvar="ADAPT_TLS_CERT", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              default=None, help="PEM client certificate, for servers that require mutual TLS")
@click.option("--tls-key", envvar="ADAPT_TLS_KEY", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              default=None, help="PEM private key of --tls-cert")
@click.pass_context
def main(ctx, target, api_key, api_key_file, tls_ca, use_tls, tls_cert, tls_key):
    """Adapt: adapt speech models to your own audio, on your own machines."""
    ctx.ensure_object(dict)
    if api_key_file is not None:
        api_key = api_key_file.read_text().strip()
    if (tls_cert is None) != (tls_key is None):
        raise click.UsageError("--tls-cert and --tls-key go together")
    ctx.obj.update(target=target, api_key=api_key, tls={"root_certificates": tls_ca, "certificate_chain": tls_cert,
                                                        "private_key": tls_key, "tls": use_tls or None})


@main.group()
def datasets():
    """Create and inspect datasets."""


@datasets.command("create")
@click.argument("name")
@click.option("--source", "sources", multiple=True, required=True,
              help="a local path or file:// URI on the server, or s3://bucket/prefix/ (repeatable)")
@click.option("--endpoint-url", default=None, help="S3-compatible endpoint for s3:// sources")
@click.option("--split-channels", is_flag=True, help="keep stereo channels as separate speakers")
@click.option("--step", "steps", multiple=True, help='a pipeline step as JSON, e.g. \'{"step": "vad"}\'')
@click.option("--provenance", default=None,
              help='the recording consent as JSON, e.g. \'{"consent_basis": "consent", "jurisdictions": ["US-CA"], '
                   '"collection_start": "2026-01-05", "document_sha256": "..."}\' (adapt consent revoke --dataset '
                   'withdraws it)')
@click.option("--no-wait", is_flag=True, help="return once the dataset is accepted")
@click.pass_context
def datasets_create(ctx, name, sources, endpoint_url, split_channels, steps, provenance, no_wait):
    client = _client(ctx)
    options = {"channels": "split"} if split_channels else {}
    try:
        pipeline = [json.loads(s) for s in steps]
    except json.JSONDecodeError as exc:
        raise click.BadParameter(f"--step must be JSON: {exc}")
    try:
        provenance = json.loads(provenance) if provenance is not None else None
    except json.JSONDecodeError as exc:
        raise click.BadParameter(f"--provenance must be JSON: {exc}")
    specs = []
    for s in sources:
        if s.startswith("s3://"):
            specs.append({"type": "s3", "uri": s,
                          "options": {**options, **({"endpoint_url": endpoint_url} if endpoint_url else {})}})
        else:
            specs.append({"type": "local", "uri": s, "options": options})
    dataset = client.datasets.create(name=name, sources=specs, pipeline=pipeline, provenance=provenance)
    DATASETS.created(client, dataset.id, no_wait)


@datasets.command("export")
@click.argument("dataset_id")
@click.option("--format", "export_format", type=click.Choice(["jsonl", "rttm", "ctm", "audit"]), default="jsonl",
              show_default=True, help="jsonl: NeMo/Lhotse manifest; rttm: speaker turns; ctm: word times; "
                                      "audit: what redaction removed (types and spans)")
@click.option("--split", default="", type=click.Choice(["", "train", "holdout"]), help="one side of the split")
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="write to this file instead of stdout")
@click.pass_context
def datasets_export(ctx, dataset_id, export_format, split, out):
    text = _client(ctx).datasets.export(dataset_id, format=export_format, split=split)
    if out is None:
        click.echo(text, nl=False)
    else:
        out.write_text(text, encoding="utf-8")
        click.echo(f"wrote {len(text.splitlines())} lines to {out}", err=True)


@datasets.command("delete")
@click.argument("dataset_id")
@click.pass_context
def datasets_delete(ctx, dataset_id):
    freed = _client(ctx).datasets.delete(dataset_id)
    click.echo(f"deleted {dataset_id} ({freed} audio blobs freed)")


@main.command()
@click.argument("audio_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--model", default="", help="model id (default: the server's bundled model)")
@click.option("--deployment", "deployment_id", default="", help="a deployment whose stt route to use")
@click.option("--beam-size", type=int, default=0)
@click.option("--json", "as_json", is_flag=True, help="print the full result as JSON")
@click.option("--srt", "as_srt", is_flag=True, help="print SubRip subtitles")
@click.option("--vtt", "as_vtt", is_flag=True, help="print WebVTT subtitles")
@click.option("--stream", is_flag=True, help="feed the file at real-time pace and print interim and final results")
@click.pass_context
def transcribe(ctx, audio_file, model, deployment_id, beam_size, as_json, as_srt, as_vtt, stream):
    """Transcribe an audio file (any format) with a model or a deployment."""
    from adapt import _formats
    client = _client(ctx)
    if stream:
        _stream_file(client, audio_file, model, deployment_id, beam_size)
        return
    transcript = client.speech.transcribe(audio_file, model=model, deployment_id=deployment_id, beam_size=beam_size)
    if as_json:
        click.echo(_formats.to_json(transcript))
    elif as_srt:
        click.echo(_formats.to_srt(transcript))
    elif as_vtt:
        click.echo(_formats.to_vtt(transcript))
    else:
        click.echo(transcript.text)
        console.print(f"[dim]{transcript.model}: {transcript.duration_s:.1f} s of audio in "
                      f"{transcript.processing_s:.2f} s (RTF {transcript.realtime_factor:.3f})[/]")


def _stream_file(client, audio_file: Path, model: str, deployment_id: str, beam_size: int) -> None:
    """Decodes the file here to 16 kHz PCM16 and sends it at real-time pace, as a live call would arrive."""
    from adapt._speech import paced
    pcm = _pcm16_16k(audio_file)
    for result in client.speech.stream(paced(pcm, 16000), sample_rate_hz=16000, model=model,
                                       deployment_id=deployment_id, beam_size=beam_size):
        if result.is_final:  # finals on stdout, interims on stderr: `> out.txt` keeps the transcript
            click.echo(f"[{result.start:7.2f} - {result.end:7.2f}] {result.text}")
        else:
            console.print(f"[dim]  ... {result.text}[/]")


def _pcm16_16k(path: Path) -> bytes:
    try:
        import av
        import numpy as np
    except ImportError:
        raise click.ClickException("`adapt transcribe --stream` decodes the file here and needs av and numpy: "
                                   "pip install 'adapt-sdk[stream]' (from the repository: pip install 'clients/python[stream]')") from None
    resampler = av.AudioResampler(format="s16", layout="mono", rate=16000)
    chunks = []
    with av.open(str(path)) as container:
        for frame in container.decode(audio=0):
            chunks += [f.to_ndarray().reshape(-1) for f in resampler.resample(frame)]
    chunks += [f.to_ndarray().reshape(-1) for f in resampler.resample(None)]
    return np.concatenate(chunks).astype("<i2").tobytes()


@main.group()
def models():
    """List and register models."""


@models.command("register")
@click.argument("path")
@click.option("--id", "model_id", default="", help="model id (default: the folder name)")
@click.pass_context
def models_register(ctx, path, model_id):
    m = _client(ctx).models.register(path, model_id=model_id)
    languages = f", languages {','.join(m.languages)}" if m.languages else ""
    click.echo(f"registered {m.id} ({m.family} {m.role}, {m.format}, {m.parameters / 1e6:.1f} M parameters, "
               f"{m.size_bytes / 1e6:.0f} MB{languages})")


@main.group("fine-tunes")
def fine_tunes():
    """Fine-tune a base model on a dataset; the result is a model "ft:<base>:<id>"."""


def _parse_hyperparameters(pairs: tuple[str, ...], as_json: str | None) -> dict:
    """--hp learning_rate=1e-5 --hp epochs=3 (values parsed as JSON when they are JSON) and/or --json '{...}'."""
    values = {}
    if as_json:
        try:
            values.update(json.loads(as_json))
        except json.JSONDecodeError as exc:
            raise click.BadParameter(f"--hyperparameters must be a JSON object: {exc}")
    for pair in pairs:
        key, sep, raw = pair.partition("=")
        if not sep or not key:
            raise click.BadParameter(f"--hp takes key=value, got {pair!r}")
        try:
            values[key] = json.loads(raw)
        except json.JSONDecodeError:
            values[key] = raw
    return values


@fine_tunes.command("create")
@click.option("--base-model", required=True, help="e.g. whisper-tiny.en")
@click.option("--dataset", "dataset_id", required=True, help="dataset id to train on")
@click.option("--hp", "hp_pairs", multiple=True, help="a hyperparameter, key=value (repeatable)")
@click.option("--hyperparameters", "hp_json", default=None, help="hyperparameters as a JSON object")
@click.option("--holdout-fraction", type=float, default=None, help="hold out this share of recordings when "
              "the dataset has no holdout split")
@click.option("--no-wait", is_flag=True, help="return once the fine-tune is accepted")
@click.pass_context
def fine_tunes_create(ctx, base_model, dataset_id, hp_pairs, hp_json, holdout_fraction, no_wait):
    client = _client(ctx)
    validation = {"holdout_fraction": holdout_fraction} if holdout_fraction else None
    job = client.fine_tunes.create(base_model=base_model, dataset_id=dataset_id,
                                   hyperparameters=_parse_hyperparameters(hp_pairs, hp_json), validation=validation)
    FINE_TUNES.created(client, job.id, no_wait)


@fine_tunes.command("report")
@click.argument("fine_tune_id")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="folder to write report.html (and plotly.min.js) into")
@click.pass_context
def fine_tunes_report(ctx, fine_tune_id, out_dir):
    """Write an HTML report: hyperparameters, training metrics, the interpolation curve and the share chosen."""
    click.echo(str(_client(ctx).fine_tunes.report(fine_tune_id, out_dir)))


def _print_fine_tune(f) -> None:
    click.echo(f"{f.id}  {f.state}  {f.base_model} on {f.dataset_id}  model: {f.model_id or '-'}")
    if f.error:
        click.echo(f"error: {f.error.code}: {f.error.message}")
    click.echo(f"hyperparameters: {json.dumps(f.hyperparameters, sort_keys=True)}")
    if f.metrics:
        click.echo(f"metrics: {json.dumps(f.metrics, sort_keys=True)}")
    if f.export_formats:
        click.echo(f"exports: {', '.join(f.export_formats)}")


@main.group()
def deployments():
    """Routes that serve models: promote, canary, roll back."""


@deployments.command("update")
@click.argument("deployment_id")
@click.option("--stt", "stt_model", default=None, help="model id for the stt route")
@click.option("--tts", "tts_voice", default=None, help="voice id for the tts route")
@click.option("--canary", "canary_model", default=None, help="model (or voice) id that gets a canary share")
@click.option("--canary-route", default="stt", show_default=True, type=click.Choice(["stt", "tts"]),
              help="the route the canary splits")
@click.option("--percent", type=float, default=None, help="canary share in percent (0 < p < 100)")
@click.option("--force", is_flag=True, help="promote even when the model failed its validation gates")
@click.pass_context
def deployments_update(ctx, deployment_id, stt_model, tts_voice, canary_model, canary_route, percent, force):
    """Point routes at models and voices; creates the deployment when the id is new."""
    if (canary_model is None) != (percent is None):
        raise click.BadParameter("--canary and --percent go together")
    routes = {name: value for name, value in (("stt", stt_model), ("tts", tts_voice)) if value}
    canary = {"model": canary_model, "percent": percent, "route": canary_route} if canary_model else None
    _print_deployment(_client(ctx).deployments.update(deployment_id, routes=routes, canary=canary, force=force))


@deployments.command("rollback")
@click.argument("deployment_id")
@click.option("--revision", type=int, default=0, help="revision to return to (default: the previous routes)")
@click.pass_context
def deployments_rollback(ctx, deployment_id, revision):
    _print_deployment(_client(ctx).deployments.rollback(deployment_id, revision))


def _print_deployment(d) -> None:
    click.echo(f"{d.id}  revision {d.revision}  " + ", ".join(f"{k}={v}" for k, v in sorted(d.routes.items())))
    if d.canary:
        click.echo(f"canary: {d.canary.percent:g}% of {d.canary.route} -> {d.canary.model}")
    for r in d.history:
        canary = f" canary {r.canary.percent:g}%->{r.canary.model}" if r.canary else ""
        flags = " (forced)" if r.forced else ""
        note = f"  {r.note}" if r.note else ""
        click.echo(f"  rev {r.revision} {r.action}{flags}: " +
                   ", ".join(f"{k}={v}" for k, v in sorted(r.routes.items())) + canary + note)


def _print_dataset(d) -> None:
    click.echo(f"{d.id}  {d.name}  {d.state}")
    if d.error:
        click.echo(f"error: {d.error.code}: {d.error.message}")
    click.echo(f"stats: {d.stats}")
    if d.provenance:
        p = d.provenance
        state = f"REVOKED: {p.get('revoked_reason', '')}" if p.get("revoked") else "in force"
        click.echo(f"provenance: {p.get('consent_basis', '')} in {', '.join(p.get('jurisdictions', [])) or '?'}, "
                   f"consent {p.get('consent_id', '')} ({state})")
    for issue in d.file_issues:
        click.echo(f"  skipped {issue.uri} ({issue.stage}): {issue.reason}")


def _print_model(m) -> None:
    click.echo(json.dumps({k: v for k, v in vars(m).items() if not k.startswith("_")}, default=str, indent=2))


def _deployment_row(d) -> str:
    canary = f"\tcanary {d.canary.percent:g}% -> {d.canary.model}" if d.canary else ""
    return f"{d.id}\trev {d.revision}\t" + ", ".join(f"{k}={v}" for k, v in sorted(d.routes.items())) + canary


DATASETS = ResourceCommands(
    "datasets", "dataset", show=_print_dataset, progress="ingest",
    row=lambda d: f"{d.id}\t{d.state}\t{d.name}\t{d.stats.hours:.3f} h\t{d.stats.recordings} recordings")
MODELS = ResourceCommands(
    "models", "model", show=_print_model,
    row=lambda m: f"{m.id}\t{m.kind}\t{m.format}\t{m.size_bytes / 1e6:.0f} MB\t{m.description}")
FINE_TUNES = ResourceCommands(
    "fine_tunes", "fine_tune", show=_print_fine_tune, progress="fine-tune", follow=follow_training,
    row=lambda f: f"{f.id}\t{f.state}\t{f.base_model}\t{f.dataset_id}\t{f.model_id or '-'}",
    watch_help="Progress bar: step, loss, learning rate and ETA until the fine-tune ends.")
DEPLOYMENTS = ResourceCommands("deployments", "deployment", show=_print_deployment, row=_deployment_row)
for _commands, _group in ((DATASETS, datasets), (MODELS, models), (FINE_TUNES, fine_tunes),
                          (DEPLOYMENTS, deployments)):
    _commands.add_to(_group)

from adapt._evaluations_cli import evaluations as _evaluations_group  # noqa: E402
from adapt._keys_cli import audit as _audit_group, keys as _keys_group  # noqa: E402
from adapt._voices_cli import consent as _consent_group, lineage as _lineage_command  # noqa: E402
from adapt._voices_cli import synthesize as _synthesize_command, voices as _voices_group  # noqa: E402

main.add_command(_evaluations_group)
main.add_command(_keys_group)
main.add_command(_audit_group)
for _command in (_synthesize_command, _voices_group, _consent_group, _lineage_command):
    main.add_command(_command)


if __name__ == "__main__":
    main()
