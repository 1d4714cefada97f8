"""`adapt synthesize`, `adapt voices ...`, `adapt consent verify|revoke` and `adapt lineage ID`."""
from __future__ import annotations

import json
import time
from pathlib import Path

import click

from adapt._cli_resources import ResourceCommands, client_of as _client
from adapt._progress import console


@click.command()
@click.argument("text")
@click.option("--voice", default="", help="a voice id: stock (kokoro-jm_kumo, piper-joe, ...) or custom (voice_...)")
@click.option("--deployment", "deployment_id", default="", help="a deployment whose tts route to use")
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="where to write the audio; its extension picks the encoding unless --encoding does")
@click.option("--encoding", type=click.Choice(["", "wav", "pcm16", "mulaw", "ogg_opus"]), default="",
              help="wav (default), pcm16 (raw), mulaw (8 kHz telephony), ogg_opus")
@click.option("--sample-rate", "sample_rate_hz", type=int, default=0, help="Hz (default: the voice's)")
@click.option("--rate", "speaking_rate", type=float, default=1.0, show_default=True, help="speaking rate 0.5..2.0")
@click.option("--stream", is_flag=True, help="stream the audio chunk by chunk (prints each chunk's latency)")
@click.pass_context
def synthesize(ctx, text, voice, deployment_id, out, encoding, sample_rate_hz, speaking_rate, stream):
    """Speak TEXT with a voice (or a deployment's tts route) into an audio file."""
    from adapt._synthesis import encoding_for
    client = _client(ctx)
    encoding = encoding or encoding_for(out)
    options = dict(voice=voice, deployment_id=deployment_id, encoding=encoding, sample_rate_hz=sample_rate_hz,
                   speaking_rate=speaking_rate)
    if stream:
        started = time.monotonic()
        with open(out, "wb") as handle:
            for chunk in client.speech.synthesize_stream(text, **options):
                handle.write(chunk.audio)
                console.print(f"[dim]chunk {chunk.index} at {time.monotonic() - started:.2f} s: "
                              f"{chunk.duration_s:.2f} s of speech ({chunk.text!r})[/]")
                voice_used = chunk.voice
        click.echo(f"wrote {out} ({encoding}, voice {voice_used})")
        return
    speech = client.speech.synthesize(text, **options)
    speech.save(out)
    click.echo(f"wrote {out} ({speech.encoding}, {speech.sample_rate_hz} Hz, {speech.duration_s:.2f} s, voice "
               f"{speech.voice}, RTF {speech.realtime_factor:.2f})")


@click.group()
def voices():
    """Stock voices and custom voices built from a consented dataset."""


@voices.command("create")
@click.argument("dataset_id")
@click.option("--speaker", default="", help="the talent's speaker label in the dataset (empty: its only speaker)")
@click.option("--talent-name", required=True, help="the talent's first and last name, as said in the statement")
@click.option("--company", required=True, help="who may use the voice, as said in the statement")
@click.option("--statement", "statement", type=click.Path(exists=True, dir_okay=False, path_type=Path), required=True,
              help="the recording of the talent reading the consent statement")
@click.option("--locale", default="en-US", show_default=True)
@click.option("--name", default="", help="a display name (default: the talent's name)")
@click.option("--generations", type=int, default=0, help="search generations (default 12)")
@click.option("--population", type=int, default=0, help="candidates per generation, even (default 8)")
@click.option("--no-wait", is_flag=True, help="return once the voice is accepted")
@click.pass_context
def voices_create(ctx, dataset_id, speaker, talent_name, company, statement, locale, name, generations, population,
                  no_wait):
    """Verify the consent statement and build a custom voice of SPEAKER in DATASET_ID."""
    client = _client(ctx)
    options = {k: v for k, v in (("generations", generations), ("population", population)) if v}
    voice = client.voices.create(dataset_id, talent_name=talent_name, company=company, statement_audio=statement,
                                 speaker=speaker, locale=locale, name=name, options=options)
    check = voice.consent_check
    if check is not None:
        console.print(f"[dim]consent verified: statement {check.statement_score:.2f}, name {check.name_score:.2f}, "
                      f"company {check.company_score:.2f}, speaker {check.speaker_score:.3f} (>= "
                      f"{check.speaker_threshold})[/]")
    VOICES.created(client, voice.id, no_wait)


@voices.command("delete")
@click.argument("voice_id")
@click.pass_context
def voices_delete(ctx, voice_id):
    _client(ctx).voices.delete(voice_id)
    click.echo(f"deleted {voice_id} (its consent record is kept)")


@voices.command("consent")
@click.argument("voice_id")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="where to save the signed record")
@click.pass_context
def voices_consent(ctx, voice_id, out):
    """Save VOICE_ID's signed consent record; prints the server's public key (for `adapt consent verify`)."""
    record = _client(ctx).voices.consent_record(voice_id)
    record.save(out)
    click.echo(f"wrote {out} (consent {record.consent_id}{', REVOKED' if record.revoked else ''})")
    click.echo(f"server public key: {record.server_public_key.hex()} (key id {record.key_id})")


def _print_voice(v) -> None:
    kind = "stock" if v.stock else "custom"
    click.echo(f"{v.id}  {v.state}  {kind} {v.engine} {v.sample_rate_hz} Hz  {v.name}"
               + ("  REVOKED" if v.revoked else ""))
    if v.error:
        click.echo(f"error: {v.error.code}: {v.error.message}")
    if v.revoked:
        click.echo(f"revoked: {v.revoked_reason}")
    if v.stock:
        click.echo(f"{v.description}; weights {v.weights} ({v.license})")
        return
    click.echo(f"dataset {v.dataset_id} speaker {v.speaker or '(its only one)'}  consent {v.consent_record_id}")
    if v.consent_check is not None:
        c = v.consent_check
        click.echo(f"consent check: statement {c.statement_score:.2f} name {c.name_score:.2f} company "
                   f"{c.company_score:.2f} speaker {c.speaker_score:.3f}; heard {c.transcript!r}")
    if v.quality:
        q = v.quality
        click.echo(f"quality: similarity {q['similarity']:.3f} (start {q['start_voice']} {q['start_similarity']:.3f}),"
                   f" WER {q['wer']:.2f}, {q['evaluations']} candidates in {q['build_seconds']:.0f} s")


VOICES = ResourceCommands(
    "voices", "voice", show=_print_voice, progress="voice build",
    row=lambda v: f"{v.id}\t{v.state}\t{'stock' if v.stock else 'custom'}\t{v.engine}\t{v.name}"
                  + ("\tREVOKED" if v.revoked else ""))
VOICES.add_to(voices)


@click.group()
def consent():
    """Check a signed consent record offline; revoke a consent."""


@consent.command("verify")
@click.argument("record_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--public-key", default=None,
              help="the server's public key (hex, base64, or a file holding it): the record must be signed by it")
def consent_verify(record_file, public_key):
    """Verify RECORD_FILE (from `adapt voices consent`) offline: exit 1 when any byte was changed."""
    try:
        from adapt.consent import ConsentVerificationError, parse_public_key, verify
        import cryptography  # noqa: F401
    except ImportError:
        raise click.ClickException("verifying needs the cryptography package: pip install 'adapt-sdk[consent]'")
    try:
        trusted = parse_public_key(public_key) if public_key else None
        record = verify(record_file.read_bytes(), trusted)
    except ConsentVerificationError as error:
        console.print(f"[red]INVALID[/]: {error}")
        raise SystemExit(1)
    click.echo(f"VALID: {record['talent_name']} for {record['company']} ({record['locale']}), signed "
               f"{record['created_at']} by key {record['key_id']}")
    click.echo(json.dumps(record, indent=2, sort_keys=True))
    if trusted is None:
        console.print("[yellow]note[/]: no --public-key given: the record is unchanged since key "
                      f"{record['key_id']} signed it; pass the server's key to check it was that server")


@consent.command("revoke")
@click.argument("consent_id", required=False, default="")
@click.option("--voice", "voice_id", default="", help="revoke this voice's consent")
@click.option("--dataset", "dataset_id", default="", help="revoke this dataset's provenance")
@click.option("--reason", default="", help="recorded with the revocation")
@click.pass_context
def consent_revoke(ctx, consent_id, voice_id, dataset_id, reason):
    """Revoke CONSENT_ID (or --voice's, or --dataset's provenance); prints everything it reached."""
    result = _client(ctx).lineage.revoke_consent(consent_id, voice_id=voice_id, dataset_id=dataset_id,
                                                 reason=reason)
    click.echo(f"consent {result.consent_id} revoked" + (" (already)" if result.already_revoked else ""))
    for kind, ids in (("voices", result.voices), ("models", result.models), ("datasets", result.datasets),
                      ("fine-tunes", result.fine_tunes), ("cancelled jobs", result.cancelled_jobs)):
        if ids:
            click.echo(f"  {kind}: {', '.join(ids)}")
    for d in result.deployments:
        target = f"now {d.fallback} (from revision {d.from_revision})" if d.fallback else "removed"
        click.echo(f"  deployment {d.deployment_id} {d.route}: {d.revoked} {target}, revision {d.revision}")


@click.command()
@click.argument("resource_id")
@click.option("--json", "as_json", is_flag=True, help="print the graph as JSON")
@click.pass_context
def lineage(ctx, resource_id, as_json):
    """The chain of RESOURCE_ID from the audio to the deployments (any dataset, fine-tune, model, voice,
    deployment or consent id)."""
    graph = _client(ctx).lineage.get(resource_id)
    if as_json:
        click.echo(json.dumps({"id": graph.id, "nodes": [vars(n) for n in graph.nodes],
                               "edges": [vars(e) for e in graph.edges]}, indent=2, default=str))
        return
    for line in graph.chain():
        click.echo(line)
