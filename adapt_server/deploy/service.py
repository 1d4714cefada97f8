"""Deployment use cases: create, get, list, update (promote, canary), rollback, history, resolve a route, and the
fallback of routes whose model or voice was revoked.

`update` on an id that does not exist creates the deployment (the docs call
`client.deployments.update(deployment_id="prod-voice", routes={"stt": model_id})` without creating it first);
`create` refuses an existing id (ALREADY_EXISTS).

Update semantics: the routes given replace those route names (others are kept); the canary given replaces
the current one, and no canary means none (an update states the whole traffic split). Every model named
must exist. A model newly put on a route or canary whose latest validation failed its gates needs
`force=True`, otherwise FAILED_PRECONDITION lists the failed gates. A rollback returns to the routes before
the active revision (repeated rollbacks keep walking back) and skips the gate check: it restores what
served before.

Routes: "stt" names a model (Transcribe, StreamingTranscribe), "tts" a voice (Synthesize, StreamingSynthesize:
a stock voice, or a custom voice whose build SUCCEEDED); a canary splits either. A model or voice whose
consent was revoked (store/lineage.py) can be put on no route, force or not, and a rollback to a revision
that serves one is refused. When a consent is revoked, `apply_revocation` moves every route serving what it
reached to the newest earlier revision's target that is still usable, or removes the route (deploy/fallback.py),
as a new revision of action "revoke" whose note says what changed.
"""
from __future__ import annotations

import math
import re

from adapt_server.deploy.fallback import RouteChange, fall_back
from adapt_server.deploy.routing import choose_model
from adapt_server.deploy.validation import gate_verdict
from adapt_server.errors import AlreadyExists, Aborted, FailedPrecondition, InvalidArgument, NotFound, echo
from adapt_server.store.deployments import CREATE, ROLLBACK, UPDATE, Canary, Deployment, Revision
from adapt_server.store.pages import requested_page
from adapt_server.store.store import Store
from adapt_server.tts.catalog import stock_voice_ids

REVOKE = "revoke"  # the action of a revision written because a consent was revoked
STT, TTS = "stt", "tts"
ROUTES = (STT, TTS)  # route names a deployment may hold; "stt": speech-to-text (Transcribe, StreamingTranscribe),
# "tts": text-to-speech (Synthesize, StreamingSynthesize)
TARGET_KIND = {STT: "model", TTS: "voice"}  # what a route's value names
DEPLOYMENT_ID_PATTERN = re.compile(r"[a-z0-9][a-z0-9._-]{0,63}")  # checked with fullmatch: "prod\n" is not an id
WRITE_RETRIES = 5  # optimistic-concurrency retries when two updates race


class DeploymentService:
    def __init__(self, store: Store):
        self.store = store
        self.repo = store.deployments

    # --- reads --------------------------------------------------------------------------------------
    def get(self, deployment_id: str) -> Deployment:
        record = self.repo.get(deployment_id) if deployment_id else None
        if record is None:
            raise NotFound(f"deployment {echo(deployment_id)} does not exist; list deployments to see the ids, or "
                           "create it with an update that names its routes")
        return record

    def list(self, requested_size: int, token: str) -> tuple[list[Deployment], str]:
        return requested_page(self.repo.list_page, requested_size, token)

    def history(self, deployment_id: str) -> list[Revision]:
        self.get(deployment_id)
        return self.repo.revisions(deployment_id)

    def resolve(self, deployment_id: str, route: str = "stt", routing_key: str = "") -> str:
        """The model (stt) or voice (tts) id serving one request of `route` (canary split applied); never a
        revoked one."""
        record = self.get(deployment_id)
        target = choose_model(record.id, route, record.routes, record.canary, routing_key)
        what = TARGET_KIND.get(route, "model").upper()
        if target is None:
            removed = next((r for r in reversed(self.repo.revisions(deployment_id))
                            if r.action == REVOKE and route not in r.routes), None)
            why = f" since revision {removed.revision}: {removed.note}" if removed is not None and \
                route not in record.routes else ""
            raise FailedPrecondition(f"deployment {echo(deployment_id)} has no {echo(route)} route{why} (routes: "
                                     f"{sorted(record.routes) or 'none'}); update it with "
                                     f"routes={{{echo(route)}: {what}}}")
        self.store.lineage.require_not_revoked(target, TARGET_KIND.get(route, "model"))
        return target

    # --- writes -------------------------------------------------------------------------------------
    def create(self, deployment_id: str, routes: dict[str, str], canary: dict | None = None, force: bool = False,
               description: str = "", labels: dict[str, str] | None = None) -> Deployment:
        _check_id(deployment_id)
        if self.repo.get(deployment_id) is not None:
            raise AlreadyExists(f"deployment {echo(deployment_id)} already exists; change it with an update")
        return self._write(deployment_id, routes, canary, force, description, labels, must_exist=False)

    def update(self, deployment_id: str, routes: dict[str, str], canary: dict | None = None, force: bool = False,
               description: str | None = None, labels: dict[str, str] | None = None) -> Deployment:
        """Changes the routes (creating the deployment when the id is new); see the module docstring."""
        _check_id(deployment_id)
        return self._write(deployment_id, routes, canary, force, description, labels, must_exist=None)

    def rollback(self, deployment_id: str, to_revision: int = 0) -> Deployment:
        """Back to the routes before the active revision, or to `to_revision` when given (> 0)."""
        for _ in range(WRITE_RETRIES):
            current = self.get(deployment_id)
            active = self.repo.revision(deployment_id, current.revision)
            if to_revision < 0:
                raise InvalidArgument(f"revision must be >= 0 (0: the previous routes); got {to_revision}")
            target_number = to_revision or active.parent
            if target_number is None:
                raise FailedPrecondition(f"deployment {echo(deployment_id)} is at its first routes (revision "
                                         f"{current.revision}); there is nothing earlier to roll back to")
            target = self.repo.revision(deployment_id, target_number)
            if target is None:
                raise NotFound(f"deployment {echo(deployment_id)} has no revision {target_number} (it has 1.."
                               f"{current.revision})")
            missing = [m for route, m in _targets(target.routes, target.canary) if not self._exists(route, m)]
            if missing:
                raise FailedPrecondition(f"revision {target_number} routes to deleted models or voices {missing}; "
                                         "update the deployment to ones that exist instead")
            revoked = sorted(self.store.lineage.revoked(m for _, m in _targets(target.routes, target.canary)))
            if revoked:
                raise FailedPrecondition(f"revision {target_number} routes to {revoked}, revoked since (their consent "
                                         "was withdrawn); update the deployment to usable ones instead")
            if self.repo.write(deployment_id, current.revision, ROLLBACK, target.routes, target.canary,
                               target.parent, False, f"rolled back to revision {target_number}"):
                return self.get(deployment_id)
        raise Aborted(f"deployment {echo(deployment_id)} kept changing during the rollback; try again")

    def delete(self, deployment_id: str) -> None:
        """Removes the deployment and its history; requests naming it get NOT_FOUND from then on."""
        self.get(deployment_id)
        self.repo.delete(deployment_id)

    def _write(self, deployment_id: str, routes: dict[str, str], canary: dict | None, force: bool,
               description: str | None, labels: dict[str, str] | None, must_exist: bool | None) -> Deployment:
        routes = _check_routes(routes)
        for _ in range(WRITE_RETRIES):
            current = self.repo.get(deployment_id)
            merged = {**(current.routes if current else {}), **routes}
            new_canary = _check_canary(canary, merged)
            if not merged:
                raise InvalidArgument('routes is empty: name at least one route, e.g. {"stt": "whisper-tiny.en"}')
            self._check_targets(merged, new_canary)
            serving = set(_models(current.routes, current.canary)) if current else set()
            newly_promoted = [m for route, m in _targets(merged, new_canary) if m not in serving and route == STT]
            failures = self._gate_failures(newly_promoted)
            if failures and not force:
                raise FailedPrecondition(
                    "validation gates failed; promote anyway with force=True, or validate a better model: "
                    + "; ".join(failures))
            action = UPDATE if current else CREATE
            expected = current.revision if current else 0
            note = ("forced past failed gates: " + "; ".join(failures)) if failures else ""
            if self.repo.write(deployment_id, expected, action, merged, new_canary,
                               current.revision if current else None, bool(failures), note,
                               description if current else (description or ""), labels):
                return self.get(deployment_id)
        raise Aborted(f"deployment {echo(deployment_id)} kept changing during the update; try again")

    def _check_targets(self, routes: dict[str, str], canary: Canary | None) -> None:
        """Every model named exists; every voice is stock or built; nothing named is revoked."""
        for where, route, target in [(f"routes[{echo(r)}]", r, m) for r, m in sorted(routes.items())] + (
                [("canary.model", canary.route, canary.model)] if canary else []):
            if route == STT and self.store.models.get(target) is None:
                raise NotFound(f"{where}: model {echo(target)} does not exist; list models to see the ids "
                               "(a fine-tune's model exists once the fine-tune SUCCEEDED)")
            if route == TTS:
                self._check_voice(where, target)
            self.store.lineage.require_not_revoked(target, TARGET_KIND[route])

    def _check_voice(self, where: str, voice_id: str) -> None:
        if voice_id in stock_voice_ids():
            return
        voice = self.store.voices.get(voice_id)
        if voice is None:
            raise NotFound(f"{where}: voice {echo(voice_id)} does not exist; the stock voices are "
                           f"{', '.join(stock_voice_ids())}, custom ones have the id CreateVoice returned")
        if not voice.built:
            raise FailedPrecondition(f"{where}: voice {voice_id} is {voice.job.state}; put it on a route once its "
                                     "build SUCCEEDED")

    def _exists(self, route: str, target: str) -> bool:
        if route == TTS:
            voice = self.store.voices.get(target)
            return target in stock_voice_ids() or (voice is not None and voice.built)
        return self.store.models.get(target) is not None

    def _usable(self, route: str, target: str) -> bool:
        return self._exists(route, target) and self.store.lineage.revocation(target) is None

    # --- revocation ---------------------------------------------------------------------------------
    def apply_revocation(self, revoked_ids: set[str], consent_id: str) -> list[tuple[Deployment, RouteChange]]:
        """Moves every deployment route and canary serving one of `revoked_ids` (already marked revoked in the
        store) off it (deploy/fallback.py), each deployment by one new "revoke" revision; returns the changes."""
        changed: list[tuple[Deployment, RouteChange]] = []
        for deployment_id in sorted({d for target in revoked_ids for d in self.repo.using_model(target)}):
            for _ in range(WRITE_RETRIES):
                current = self.repo.get(deployment_id)
                if current is None:
                    break
                routes, canary, changes = fall_back(current.routes, current.canary,
                                                    self.repo.revisions(deployment_id), self._usable)
                if not changes:
                    break
                note = f"consent {consent_id} revoked: " + "; ".join(c.describe() for c in changes)
                if self.repo.write(deployment_id, current.revision, REVOKE, routes, canary, current.revision,
                                   False, note):
                    updated = self.get(deployment_id)
                    changed += [(updated, change) for change in changes]
                    break
            else:
                raise Aborted(f"deployment {deployment_id!r} kept changing while its revoked routes were moved; "
                              "revoke the consent again")
        return changed

    def _gate_failures(self, model_ids: list[str]) -> list[str]:
        failures = []
        for model_id in model_ids:
            verdict = gate_verdict(self.store, model_id)
            if verdict is not None and not verdict.passed:
                source = f" (evaluation {verdict.evaluation_id})" if verdict.evaluation_id else ""
                failures.append(f"{model_id}{source}: " + ", ".join(verdict.failed))
        return failures


def _models(routes: dict[str, str], canary: Canary | None) -> list[str]:
    return list(routes.values()) + ([canary.model] if canary else [])


def _targets(routes: dict[str, str], canary: Canary | None) -> list[tuple[str, str]]:
    """(route, id) of every route and the canary."""
    return sorted(routes.items()) + ([(canary.route, canary.model)] if canary else [])


def _check_id(deployment_id: str) -> None:
    if not DEPLOYMENT_ID_PATTERN.fullmatch(deployment_id or ""):
        raise InvalidArgument(f"deployment_id {echo(deployment_id)} is not valid: use 1-64 characters of a-z, 0-9, "
                              "'.', '_' or '-', starting with a letter or digit (e.g. 'prod-voice')")


def _check_routes(routes: dict[str, str]) -> dict[str, str]:
    for name, model_id in routes.items():
        if name not in ROUTES:
            raise InvalidArgument(f"routes: unknown route {echo(name)}; this server serves {list(ROUTES)}")
        if not isinstance(model_id, str) or not model_id:
            example = "a voice id, e.g. 'kokoro-jm_kumo'" if name == TTS else "a model id, e.g. 'whisper-tiny.en'"
            raise InvalidArgument(f"routes[{echo(name)}] must name {example}")
    return dict(routes)


def _check_canary(canary: dict | None, routes: dict[str, str]) -> Canary | None:
    """{"model": id, "percent": 0 < p < 100, "route": "stt" (default)} -> Canary, or None for no canary."""
    if not canary:
        return None
    unknown = sorted(set(canary) - {"model", "percent", "route"})
    if unknown:
        raise InvalidArgument(f"canary: unknown fields {unknown}; use model, percent and route")
    route = canary.get("route") or "stt"
    model = canary.get("model") or ""
    percent = canary.get("percent", 0)
    if route not in routes:
        raise InvalidArgument(f"canary.route {echo(route)} has no route to split; set routes[{echo(route)}] first")
    if not model:
        raise InvalidArgument("canary.model is required: the model that gets the canary share")
    if isinstance(percent, bool) or not isinstance(percent, (int, float)) or not math.isfinite(percent) \
            or not 0 < percent < 100:
        raise InvalidArgument(f"canary.percent must be a number between 0 and 100 (exclusive), e.g. 10; "
                              f"got {echo(percent)}")
    if model == routes[route]:
        raise InvalidArgument(f"canary.model {echo(model)} is already the {echo(route)} route's model; a canary "
                              "sends a share of traffic to a *different* model")
    return Canary(route, model, float(percent))
