"""What every resource API of the SDK does alike, written once: get, paged list, and for job-backed resources
cancel, watch and wait.

Each resource follows the API's naming (proto/adapt/v1, Google AIP style), so one name derives every call:
for `name = "FineTune"` the stub methods GetFineTune, ListFineTunes, CancelFineTune and WatchFineTune, the
requests GetFineTuneRequest, ListFineTunesRequest and CancelFineTuneRequest, and the list response's repeated
field `fine_tunes`. A subclass names its resource class, its stub class, its messages module and `name`.
"""
from __future__ import annotations

import re
from typing import Callable, Generic, Iterator, TypeVar

from adapt._waiting import wait_until_finished
from adapt.resources import Event, Resource
from adapt.v1 import common_pb2

R = TypeVar("R", bound=Resource)
T = TypeVar("T")


def all_pages(fetch_page: Callable[[str], tuple[list[T], str]]) -> Iterator[T]:
    """Every item of a paged list: fetch_page(page_token) -> (items, next_page_token), "" at the end."""
    token = ""
    while True:
        items, token = fetch_page(token)
        yield from items
        if not token:
            return


def _snake(camel: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", camel).lower()


class ResourceAPI(Generic[R]):
    """client.<resources>: get and the paged list of one kind of resource. The client keeps one live object
    per id, so every call that returns a resource also updates the object an earlier call returned."""

    resource_type: type[R]    # e.g. Dataset
    stub_type: type           # e.g. datasets_pb2_grpc.DatasetsStub
    messages: object          # e.g. datasets_pb2, the module of the request messages
    name: str                 # e.g. "Dataset": the resource's name in its RPCs

    def __init__(self, client):
        self._client = client
        self._rpc = client._rpc
        self._stub = self.stub_type(client._rpc.channel)

    @property
    def _plural(self) -> str:
        return self.name + "s"

    def _resource(self, message) -> R:
        return self._client._materialize(self.resource_type, message, self)

    def _call(self, method: str, request, timeout: float | None = None):
        """A unary call of the stub method `method` ("GetDataset"), errors typed (adapt.errors)."""
        return self._rpc.unary(getattr(self._stub, method), request, timeout=timeout)

    def _request(self, method: str, **fields):
        return getattr(self.messages, f"{method}Request")(**fields)

    def get(self, resource_id: str) -> R:
        method = f"Get{self.name}"
        return self._resource(self._call(method, self._request(method, id=resource_id)))

    def list_page(self, page_size: int = 0, page_token: str = "") -> tuple[list[R], str]:
        """One page of the list, oldest first, and the token of the next page ("" after the last)."""
        return self._list_page(page_size, page_token)

    def list(self, page_size: int = 0) -> Iterator[R]:
        """Every resource, oldest first, fetching pages of `page_size` (0: the server's default) as it goes."""
        return all_pages(lambda token: self.list_page(page_size, token))

    def _list_page(self, page_size: int, page_token: str, **filters) -> tuple[list[R], str]:
        method = f"List{self._plural}"
        response = self._call(method, self._request(method, page_size=page_size, page_token=page_token, **filters))
        return [self._resource(m) for m in getattr(response, _snake(self._plural))], response.next_page_token


class JobResourceAPI(ResourceAPI[R]):
    """A resource a server job produces (PENDING -> RUNNING -> SUCCEEDED | FAILED | CANCELLED): besides get and
    list, cancel, the progress events (watch) and blocking until it ends (wait)."""

    kind: str                 # e.g. "fine-tune": names the resource in messages

    def cancel(self, resource_id: str) -> R:
        method = f"Cancel{self.name}"
        return self._resource(self._call(method, self._request(method, id=resource_id)))

    def watch(self, resource_id: str, after_sequence: int = 0, timeout: float | None = None) -> Iterator[Event]:
        """Progress events after `after_sequence` until the resource ends (the terminal event is the last)."""
        request = common_pb2.WatchRequest(id=resource_id, after_sequence=after_sequence)
        for message in self._rpc.stream(getattr(self._stub, f"Watch{self.name}"), request, timeout=timeout):
            yield Event.from_proto(message)

    def wait(self, resource_id: str, timeout: float | None = None) -> R:
        """Blocks until the resource ends; returns it (the same object create() returned, updated).
        Raises JobFailedError / JobCancelledError when it did not succeed, WaitTimeoutError when `timeout`
        seconds pass first. Survives a server restart: it reconnects and resumes the event stream."""
        return wait_until_finished(self.kind, resource_id, self.watch, self.get, timeout)
