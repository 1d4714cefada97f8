"""The CLI commands every resource has alike, built once: `get`, and for job-backed resources `watch` (a
progress bar until the end, then the resource) and `cancel` (prints the new state).

    DATASETS = ResourceCommands("datasets", "dataset", show=print_dataset, progress="ingest")
    DATASETS.add_to(datasets_group)            # adapt datasets get|watch|cancel DATASET_ID
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterable

import click

from adapt._progress import follow


def client_of(ctx: click.Context):
    """The adapt.Client of this invocation (--target, --api-key of the `adapt` group)."""
    from adapt.client import Client
    return Client(ctx.obj["target"], api_key=ctx.obj["api_key"])


@dataclass(frozen=True)
class ResourceCommands:
    api: str                                  # the adapt.Client attribute: "fine_tunes"
    noun: str                                 # names the argument: "fine_tune" -> FINE_TUNE_ID
    show: Callable[[object], None]            # prints one resource (get; watch and create at the end)
    progress: str = ""                        # progress bar title: "ingest" -> "ingest ds_..."
    follow: Callable[[Iterable, str], None] = follow   # draws the bar from the events (or follow_training)
    watch_help: str | None = None             # `watch --help` text

    def follow_to_end(self, client, resource_id: str) -> None:
        """The progress bar until the resource ends, then the resource (watch, and create without --no-wait)."""
        api = getattr(client, self.api)
        self.follow(api.watch(resource_id), f"{self.progress} {resource_id}")
        self.show(api.get(resource_id))

    def add_to(self, group: click.Group, commands: tuple[str, ...] = ("get", "watch", "cancel")) -> None:
        """Adds the named commands (of get, watch, cancel) to `group`."""
        builders = {"get": self._get, "watch": self._watch, "cancel": self._cancel}
        for name in commands:
            group.add_command(builders[name]())

    def _id_argument(self):
        return click.argument("resource_id", metavar=f"{self.noun.upper()}_ID")

    def _get(self) -> click.Command:
        @click.command("get")
        @self._id_argument()
        @click.pass_context
        def get(ctx, resource_id):
            self.show(getattr(client_of(ctx), self.api).get(resource_id))
        return get

    def _watch(self) -> click.Command:
        @click.command("watch", help=self.watch_help)
        @self._id_argument()
        @click.pass_context
        def watch(ctx, resource_id):
            self.follow_to_end(client_of(ctx), resource_id)
        return watch

    def _cancel(self) -> click.Command:
        @click.command("cancel")
        @self._id_argument()
        @click.pass_context
        def cancel(ctx, resource_id):
            click.echo(getattr(client_of(ctx), self.api).cancel(resource_id).state)
        return cancel
