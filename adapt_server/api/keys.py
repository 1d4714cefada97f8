"""adapt.v1.Keys: thin translation between messages and the key use cases (security/keys.py)."""
from __future__ import annotations

from adapt.v1 import keys_pb2, keys_pb2_grpc
from adapt_server.api.context import ServiceRunner
from adapt_server.api.convert import timestamp
from adapt_server.api.identity import current_principal
from adapt_server.api.status import handle_errors
from adapt_server.store.security import CertificateMapping, KeyRecord


def key_message(record: KeyRecord) -> keys_pb2.ApiKey:
    return keys_pb2.ApiKey(id=record.id, project=record.project, scopes=list(record.scopes), name=record.name,
                           create_time=timestamp(record.created_at),
                           expire_time=timestamp(record.expires_at) if record.expires_at else None,
                           revoke_time=timestamp(record.revoked_at) if record.revoked_at else None,
                           created_by=record.created_by)


def mapping_message(mapping: CertificateMapping) -> keys_pb2.CertificateMapping:
    return keys_pb2.CertificateMapping(identity=mapping.identity, project=mapping.project,
                                       scopes=list(mapping.scopes), create_time=timestamp(mapping.created_at),
                                       created_by=mapping.created_by)


class KeysServicer(keys_pb2_grpc.KeysServicer):
    def __init__(self, runner: ServiceRunner):
        self.runner = runner

    @handle_errors
    async def CreateKey(self, request, context):
        caller = current_principal()
        record, secret = await self.runner.run(lambda s: s.keys.create(
            caller, request.project, list(request.scopes), request.name, request.expires_in_seconds))
        return keys_pb2.CreateKeyResponse(key=key_message(record), secret=secret)

    @handle_errors
    async def ListKeys(self, request, context):
        caller = current_principal()
        items, token = await self.runner.page(
            lambda s, size: s.keys.list(caller, request.project, request.include_revoked, size, request.page_token),
            request.page_size, lambda s, record: key_message(record))
        return keys_pb2.ListKeysResponse(keys=items, next_page_token=token)

    @handle_errors
    async def RevokeKey(self, request, context):
        caller = current_principal()
        return key_message(await self.runner.run(lambda s: s.keys.revoke(caller, request.id)))

    @handle_errors
    async def MapCertificate(self, request, context):
        caller = current_principal()
        mapping = await self.runner.run(lambda s: s.keys.map_certificate(
            caller, request.identity, request.project, list(request.scopes)))
        return mapping_message(mapping)

    @handle_errors
    async def ListCertificateMappings(self, request, context):
        mappings = await self.runner.run(lambda s: s.keys.certificate_mappings())
        return keys_pb2.ListCertificateMappingsResponse(mappings=[mapping_message(m) for m in mappings])

    @handle_errors
    async def UnmapCertificate(self, request, context):
        return mapping_message(await self.runner.run(lambda s: s.keys.unmap_certificate(request.identity)))

    @handle_errors
    async def WhoAmI(self, request, context):
        caller = current_principal()
        return keys_pb2.Identity(identity=caller.identity, key_id=caller.key_id, certificate=caller.certificate,
                                 project=caller.project, scopes=sorted(caller.scopes))
