"""The `adapt` command line: serve, quickstart, datasets and models."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from adapt._progress import console, follow
from adapt.errors import AdaptError

DEFAULT_TARGET = "localhost:50051"


def _client(ctx):
    from adapt.client import Client
    return Client(ctx.obj["target"], api_key=ctx.obj["api_key"])


class _Group(click.Group):
    """Turns SDK errors into one readable line and exit code 1 instead of a traceback."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except AdaptError as exc:
            console.print(f"[red]error[/]: {exc}")
            sys.exit(1)


@click.group(cls=_Group)
@click.option("--target", envvar="ADAPT_TARGET", default=DEFAULT_TARGET, show_default=True,
              help="host:port of an Adapt server")
@click.option("--api-key", envvar="ADAPT_API_KEY", default=None, help="API key, when the server requires one")
@click.pass_context
def main(ctx, target, api_key):
    """Adapt: adapt speech models to your own audio, on your own machines."""
    ctx.ensure_object(dict)
    ctx.obj.update(target=target, api_key=api_key)


@main.command()
@click.option("--data-dir", type=click.Path(path_type=Path), default=Path("./adapt-data"), show_default=True)
@click.option("--listen", default="127.0.0.1:50051", show_default=True, help="host:port to serve gRPC on")
@click.option("--source-root", "source_roots", multiple=True, type=click.Path(path_type=Path),
              help="folder local sources must lie in (repeatable)")
@click.option("--model-root", "model_roots", multiple=True, type=click.Path(path_type=Path),
              help="folder RegisterModel paths may also lie in (repeatable)")
@click.option("--workers", type=int, default=None, help="job worker processes (default: cores / 2)")
@click.option("--api-key", "server_api_key", envvar="ADAPT_SERVER_API_KEY", default=None,
              help="require this key from clients")
@click.option("--log-level", default="INFO", show_default=True)
def serve(data_dir, listen, source_roots, model_roots, workers, server_api_key, log_level):
    """Run the Adapt server (gRPC, health, reflection) until SIGTERM or Ctrl-C."""
    import asyncio
    import logging

    from adapt_server.config import ServerConfig, default_worker_count
    from adapt_server.server import serve as run_server
    logging.basicConfig(level=log_level.upper(), format="%(asctime)s %(name)s %(levelname)s %(message)s")
    config = ServerConfig(data_dir=data_dir, listen=listen, source_roots=tuple(source_roots),
                          model_roots=tuple(model_roots), workers=workers or default_worker_count(),
                          api_key=server_api_key)
    asyncio.run(run_server(config))


@main.command()
@click.option("--data-dir", type=click.Path(path_type=Path), default=Path("./adapt-data"), show_default=True)
@click.option("--calls", type=int, default=6, show_default=True, help="sample calls to generate")
@click.option("--keep-serving", is_flag=True, help="leave the server running afterwards")
def quickstart(data_dir, calls, keep_serving):
    """Start an embedded server and walk the workflow on generated contact-center calls."""
    from adapt.quickstart import run_quickstart
    run_quickstart(data_dir, calls, keep_serving)


@main.group()
def datasets():
    """Create and inspect datasets."""


@datasets.command("create")
@click.argument("name")
@click.option("--source", "sources", multiple=True, required=True,
              help="a local path or file:// URI on the server (repeatable)")
@click.option("--split-channels", is_flag=True, help="keep stereo channels as separate speakers")
@click.option("--step", "steps", multiple=True, help='a pipeline step as JSON, e.g. \'{"step": "vad"}\'')
@click.option("--no-wait", is_flag=True, help="return once the dataset is accepted")
@click.pass_context
def datasets_create(ctx, name, sources, split_channels, steps, no_wait):
    client = _client(ctx)
    options = {"channels": "split"} if split_channels else {}
    try:
        pipeline = [json.loads(s) for s in steps]
    except json.JSONDecodeError as exc:
        raise click.BadParameter(f"--step must be JSON: {exc}")
    dataset = client.datasets.create(name=name, sources=[{"type": "local", "uri": s, "options": options}
                                                         for s in sources], pipeline=pipeline)
    click.echo(dataset.id)
    if not no_wait:
        follow(client.datasets.watch(dataset.id), f"ingest {dataset.id}")
        _print_dataset(client.datasets.get(dataset.id))


@datasets.command("list")
@click.pass_context
def datasets_list(ctx):
    for d in _client(ctx).datasets.list():
        click.echo(f"{d.id}\t{d.state}\t{d.name}\t{d.stats.hours:.3f} h\t{d.stats.recordings} recordings")


@datasets.command("get")
@click.argument("dataset_id")
@click.pass_context
def datasets_get(ctx, dataset_id):
    _print_dataset(_client(ctx).datasets.get(dataset_id))


@datasets.command("watch")
@click.argument("dataset_id")
@click.pass_context
def datasets_watch(ctx, dataset_id):
    client = _client(ctx)
    follow(client.datasets.watch(dataset_id), f"ingest {dataset_id}")
    _print_dataset(client.datasets.get(dataset_id))


@datasets.command("cancel")
@click.argument("dataset_id")
@click.pass_context
def datasets_cancel(ctx, dataset_id):
    click.echo(_client(ctx).datasets.cancel(dataset_id).state)


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
    import av
    import numpy as np
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


@models.command("list")
@click.pass_context
def models_list(ctx):
    for m in _client(ctx).models.list():
        click.echo(f"{m.id}\t{m.kind}\t{m.format}\t{m.size_bytes / 1e6:.0f} MB\t{m.description}")


@models.command("get")
@click.argument("model_id")
@click.pass_context
def models_get(ctx, model_id):
    m = _client(ctx).models.get(model_id)
    click.echo(json.dumps({k: v for k, v in vars(m).items() if not k.startswith("_")}, default=str, indent=2))


@models.command("register")
@click.argument("path")
@click.option("--id", "model_id", default="", help="model id (default: the folder name)")
@click.pass_context
def models_register(ctx, path, model_id):
    m = _client(ctx).models.register(path, model_id=model_id)
    click.echo(f"registered {m.id} ({m.format}, {m.size_bytes / 1e6:.0f} MB)")


def _print_dataset(d) -> None:
    click.echo(f"{d.id}  {d.name}  {d.state}")
    if d.error:
        click.echo(f"error: {d.error.code}: {d.error.message}")
    click.echo(f"stats: {d.stats}")
    for issue in d.file_issues:
        click.echo(f"  skipped {issue.uri} ({issue.stage}): {issue.reason}")


if __name__ == "__main__":
    main()
