"""client.keys: API keys (create, list, revoke), client-certificate mappings, and who the caller is."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

from adapt._resource_api import all_pages
from adapt.v1 import keys_pb2, keys_pb2_grpc


def _time(ts) -> datetime | None:
    return ts.ToDatetime(tzinfo=timezone.utc) if ts.seconds or ts.nanos else None


@dataclass(frozen=True)
class ApiKey:
    id: str
    project: str
    scopes: tuple[str, ...]
    name: str
    create_time: datetime | None
    expire_time: datetime | None     # None: never expires
    revoke_time: datetime | None     # None: valid
    created_by: str

    @classmethod
    def from_proto(cls, m: keys_pb2.ApiKey) -> "ApiKey":
        return cls(m.id, m.project, tuple(m.scopes), m.name, _time(m.create_time), _time(m.expire_time),
                   _time(m.revoke_time), m.created_by)


@dataclass(frozen=True)
class CreatedKey:
    key: ApiKey
    secret: str                      # send as api_key=...; the server keeps only its hash: shown this once


@dataclass(frozen=True)
class CertificateMapping:
    identity: str
    project: str
    scopes: tuple[str, ...]
    create_time: datetime | None
    created_by: str

    @classmethod
    def from_proto(cls, m: keys_pb2.CertificateMapping) -> "CertificateMapping":
        return cls(m.identity, m.project, tuple(m.scopes), _time(m.create_time), m.created_by)


@dataclass(frozen=True)
class Identity:
    identity: str                    # "key:<id>", "cert:<name>" or "anonymous"
    key_id: str
    certificate: str
    project: str
    scopes: tuple[str, ...]


class KeysAPI:
    def __init__(self, client):
        self._client = client
        self._stub = keys_pb2_grpc.KeysStub(client._channel)

    def create(self, scopes: list[str], project: str = "", name: str = "", expires_in_s: int = 0) -> CreatedKey:
        """A new key of `project` (default: the caller's) with `scopes`; expires_in_s 0: never."""
        response = self._client._rpc.unary(self._stub.CreateKey, keys_pb2.CreateKeyRequest(
            project=project, scopes=list(scopes), name=name, expires_in_seconds=int(expires_in_s)))
        return CreatedKey(ApiKey.from_proto(response.key), response.secret)

    def list(self, project: str = "", include_revoked: bool = False) -> list[ApiKey]:
        def page(token: str):
            response = self._client._rpc.unary(self._stub.ListKeys, keys_pb2.ListKeysRequest(
                project=project, include_revoked=include_revoked, page_token=token))
            return [ApiKey.from_proto(k) for k in response.keys], response.next_page_token
        return list(all_pages(page))

    def revoke(self, key_id: str) -> ApiKey:
        return ApiKey.from_proto(self._client._rpc.unary(self._stub.RevokeKey, keys_pb2.RevokeKeyRequest(id=key_id)))

    def map_certificate(self, identity: str, project: str, scopes: list[str]) -> CertificateMapping:
        """Calls from a client certificate with this SAN or common name act in `project` with `scopes`."""
        return CertificateMapping.from_proto(self._client._rpc.unary(
            self._stub.MapCertificate, keys_pb2.MapCertificateRequest(identity=identity, project=project,
                                                                      scopes=list(scopes))))

    def certificate_mappings(self) -> list[CertificateMapping]:
        response = self._client._rpc.unary(self._stub.ListCertificateMappings,
                                           keys_pb2.ListCertificateMappingsRequest())
        return [CertificateMapping.from_proto(m) for m in response.mappings]

    def unmap_certificate(self, identity: str) -> CertificateMapping:
        return CertificateMapping.from_proto(self._client._rpc.unary(
            self._stub.UnmapCertificate, keys_pb2.UnmapCertificateRequest(identity=identity)))

    def whoami(self) -> Identity:
        m = self._client._rpc.unary(self._stub.WhoAmI, keys_pb2.WhoAmIRequest())
        return Identity(m.identity, m.key_id, m.certificate, m.project, tuple(m.scopes))
