"""`adapt keys ...` and `adapt audit ...`: API keys, certificate mappings, the audit log."""
from __future__ import annotations

import re
import sys
from datetime import datetime, timedelta, timezone

import click

from adapt._cli_resources import client_of

DURATION = re.compile(r"(\d+)([smhdw])")
UNIT_S = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}


def parse_duration(text: str) -> int:
    """"30d", "12h", "90m", "3600s", "2w" -> seconds; "never" or "0" -> 0."""
    if text in ("never", "0"):
        return 0
    match = DURATION.fullmatch(text.strip())
    if not match:
        raise click.BadParameter(f"{text!r}: use a number and a unit, e.g. 30d, 12h, 90m (or 'never')")
    return int(match.group(1)) * UNIT_S[match.group(2)]


def parse_since(text: str) -> datetime:
    """"1h" (that long ago) or an ISO date/time (UTC unless it says otherwise)."""
    if DURATION.fullmatch(text.strip()):
        return datetime.now(timezone.utc) - timedelta(seconds=parse_duration(text))
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        raise click.BadParameter(f"{text!r}: give a duration (1h, 7d) or an ISO time (2026-05-01T12:00)") from None
    return when if when.tzinfo else when.replace(tzinfo=timezone.utc)


def _when(value) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S") if value else "-"


@click.group()
def keys():
    """API keys (shown once, stored as hashes), client-certificate mappings, and who you are."""


@keys.command("create")
@click.option("--project", default="", help="the key's project (default: your key's; another needs server:admin)")
@click.option("--scope", "scopes", multiple=True, required=True,
              help="a scope, e.g. datasets:write, speech:transcribe, admin (repeatable)")
@click.option("--expires", default="never", show_default=True, help="lifetime, e.g. 30d, 12h, or 'never'")
@click.option("--name", default="", help="what the key is for")
@click.pass_context
def keys_create(ctx, project, scopes, expires, name):
    """Create a key; prints its secret once (stdout: the key alone, details on stderr)."""
    created = client_of(ctx).keys.create(list(scopes), project=project, name=name,
                                         expires_in_s=parse_duration(expires))
    key = created.key
    click.echo(f"key {key.id} of project {key.project}: {', '.join(key.scopes)}; expires {_when(key.expire_time)}. "
               "The secret below is shown this once; the server keeps only its hash.", err=True)
    click.echo(created.secret)


@keys.command("list")
@click.option("--project", default="", help="a server admin's filter (default: every project you may see)")
@click.option("--all", "include_revoked", is_flag=True, help="revoked keys too")
@click.pass_context
def keys_list(ctx, project, include_revoked):
    """Keys without their secrets: id, project, scopes, expiry, revocation, name."""
    for k in client_of(ctx).keys.list(project=project, include_revoked=include_revoked):
        state = f"revoked {_when(k.revoke_time)}" if k.revoke_time else f"expires {_when(k.expire_time)}"
        click.echo(f"{k.id}\t{k.project}\t{','.join(k.scopes)}\t{state}\t{k.name}")


@keys.command("revoke")
@click.argument("key_id")
@click.pass_context
def keys_revoke(ctx, key_id):
    """Revoke a key at once."""
    k = client_of(ctx).keys.revoke(key_id)
    click.echo(f"revoked {k.id} (project {k.project}) at {_when(k.revoke_time)}")


@keys.command("map-cert")
@click.argument("identity")
@click.option("--project", required=True)
@click.option("--scope", "scopes", multiple=True, required=True, help="a scope (repeatable)")
@click.pass_context
def keys_map_cert(ctx, identity, project, scopes):
    """Let a client certificate (its SAN or common name IDENTITY, signed by the server's --client-ca) act in
    PROJECT with SCOPEs, without an API key."""
    m = client_of(ctx).keys.map_certificate(identity, project, list(scopes))
    click.echo(f"certificate {m.identity} -> project {m.project}: {', '.join(m.scopes)}")


@keys.command("unmap-cert")
@click.argument("identity")
@click.pass_context
def keys_unmap_cert(ctx, identity):
    m = client_of(ctx).keys.unmap_certificate(identity)
    click.echo(f"unmapped certificate {m.identity} (was project {m.project})")


@keys.command("certs")
@click.pass_context
def keys_certs(ctx):
    """Certificate identities mapped to projects."""
    for m in client_of(ctx).keys.certificate_mappings():
        click.echo(f"{m.identity}\t{m.project}\t{','.join(m.scopes)}\t{m.created_by}")


@keys.command("whoami")
@click.pass_context
def keys_whoami(ctx):
    me = client_of(ctx).keys.whoami()
    click.echo(f"{me.identity}\tproject {me.project}\t{','.join(me.scopes)}"
               + (f"\tcertificate {me.certificate}" if me.certificate else ""))


@click.group()
def audit():
    """The server's audit log: who did what, when, from where, with what outcome (tamper-evident)."""


@audit.command("list")
@click.option("--since", default=None, help="a duration (1h, 7d) or an ISO time")
@click.option("--project", default="", help="a server admin's filter")
@click.pass_context
def audit_list(ctx, since, project):
    """One line per event: sequence, time (UTC), project, identity, method, resource, outcome, peer."""
    for e in client_of(ctx).audit.list(since=parse_since(since) if since else None, project=project):
        detail = f"\t{e.detail}" if e.detail else ""
        click.echo(f"{e.sequence}\t{_when(e.time)}\t{e.project or '-'}\t{e.identity}\t{e.method}\t{e.resource or '-'}"
                   f"\t{e.code}\t{e.peer}{detail}")


@audit.command("verify")
@click.pass_context
def audit_verify(ctx):
    """Recompute the chain; exit 1 naming the first edited, deleted or inserted row."""
    result = client_of(ctx).audit.verify()
    if result.ok:
        click.echo(f"ok: {result.events} events verified; head {result.head_sequence} {result.head_hash} (record it "
                   "elsewhere to detect a truncated log later)")
        return
    click.echo(f"FAILED at row {result.first_bad_sequence}: {result.reason} ({result.events} rows read)", err=True)
    sys.exit(1)
