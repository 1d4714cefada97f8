"""The CLI commands every resource has alike, built once per resource: `list` (a line per resource), `get`,
and for job-backed resources `watch` (a progress bar until the end, then the resource) and `cancel` (prints
the new state); `created` ends every `create` command the same way.

    DATASETS = ResourceCommands("datasets", "dataset", show=print_dataset, row=dataset_row, progress="ingest")
    DATASETS.add_to(datasets_group)            # adapt datasets list | get|watch|cancel DATASET_ID
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterable

import click

from adapt._progress import follow


def client_of(ctx: click.Context):
    """The adapt.Client of this invocation (--target, --api-key and the TLS options of the `adapt` group)."""
    from adapt.client import Client
    return Client(ctx.obj["target"], api_key=ctx.obj["api_key"], **ctx.obj.get("tls", {}))


@dataclass(frozen=True)
class ResourceCommands:
    api: str                                  # the adapt.Client attribute: "fine_tunes"
    noun: str                                 # names the argument: "fine_tune" -> FINE_TUNE_ID
    show: Callable[[object], None]            # prints one resource (get; watch and create at the end)
    row: Callable[[object], str] | None = None   # one tab-separated line of `list` (None: no list command)
    list_options: tuple[Callable, ...] = ()   # click.option decorators of `list`; their values go to api.list
    progress: str = ""                        # job-backed: the progress bar's title ("ingest" -> "ingest ds_...")
    follow: Callable[[Iterable, str], None] = follow   # draws the bar from the events (or follow_training)
    watch_help: str | None = None             # `watch --help` text

    def created(self, client, resource_id: str, no_wait: bool) -> None:
        """The end of a create command: the id on stdout, then, unless --no-wait, follow_to_end."""
        click.echo(resource_id)
        if not no_wait:
            self.follow_to_end(client, resource_id)

    def follow_to_end(self, client, resource_id: str) -> None:
        """The progress bar (stderr) until the resource ends, then the resource."""
        api = getattr(client, self.api)
        self.follow(api.watch(resource_id), f"{self.progress} {resource_id}")
        self.show(api.get(resource_id))

    def add_to(self, group: click.Group) -> None:
        """Adds get, list (with a row), and watch and cancel (job-backed resources) to `group`."""
        group.add_command(self._get())
        if self.row is not None:
            group.add_command(self._list())
        if self.progress:
            group.add_command(self._watch())
            group.add_command(self._cancel())

    def _id_argument(self):
        return click.argument("resource_id", metavar=f"{self.noun.upper()}_ID")

    def _list(self) -> click.Command:
        @click.pass_context
        def list_(ctx, **filters):
            for resource in getattr(client_of(ctx), self.api).list(**filters):
                click.echo(self.row(resource))
        for option in reversed(self.list_options):   # as if written above the function, first on top
            list_ = option(list_)
        return click.command("list")(list_)

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
