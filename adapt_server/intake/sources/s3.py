"""S3 (and S3-compatible: MinIO, Ceph, moto) sources: validate the spec, list audio objects, stream each one
(and its sidecars) to a temporary folder during ingest.

`{"type": "s3", "uri": "s3://bucket/prefix/", "options": {...}}`; options (all optional):
- `endpoint_url`: one of the endpoints the operator allows (`adapt serve --s3-endpoint URL`, repeatable);
  default: the first of them, or AWS S3 when there is none. Any other endpoint is refused (PERMISSION_DENIED)
  before a connection is made: the server signs requests with its own credentials, so a request must never
  point them at a host of its choosing (SSRF), and refusing before connecting leaves no "cannot reach" versus
  "S3 error" difference to scan ports with;
- `region`: the bucket's region (default: the profile's, else us-east-1);
- `profile`: a profile of the server's AWS files that the operator allows (`--s3-profile NAME`); default: the
  usual boto3 chain (environment variables, shared files, container roles; the instance-metadata service only
  with `--s3-instance-metadata`);
- `anonymous`: true reads a public bucket without signing requests;
- `channels`, `recursive`: as for local sources.
The allow-lists are checked when the dataset is created and again when its ingest runs.

Sidecars are found like on disk: `calls/a.wav` takes `calls/a.json|.srt|.vtt|.txt` and `calls/a.rttm` from the
same listing. Objects that are neither audio nor a sidecar are reported as skipped (stage "source"). A fetched
object lives in a temporary folder that is removed once its recording is committed.

Credentials are never part of the request: they come from the server's environment, as for the AWS CLI.
Errors map to canonical statuses: a missing bucket NOT_FOUND, refused credentials UNAUTHENTICATED, a
denied action PERMISSION_DENIED, an unreachable endpoint FAILED_PRECONDITION. Messages name the bucket, the
object and the error code; they never carry text of the remote's response body.
"""
from __future__ import annotations

import contextlib
import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import ClassVar, Iterator
from urllib.parse import urlparse

from adapt_server.errors import (FailedPrecondition, InvalidArgument, NotFound, PermissionDenied,
                                 Unauthenticated, echo)
from adapt_server.intake.sources.base import (AUDIO_EXTENSIONS, LOOKED_FOR, LocalFiles, Source, SourceAccess,
                                              SourceFile, parse_options)
from adapt_server.intake.transcripts import RTTM_EXTENSION, TRANSCRIPT_EXTENSIONS

S3_OPTION_KEYS = ("channels", "recursive", "endpoint_url", "region", "profile", "anonymous")
DOWNLOAD_CHUNK_BYTES = 8 * 1024 * 1024   # objects are streamed to disk in parts of this size
CONNECT_TIMEOUT_S = 5.0
READ_TIMEOUT_S = 60.0
MAX_ATTEMPTS = 3                           # botocore retries (standard mode) per request
LIST_PAGE_SIZE = 1000
SIDECAR_EXTENSIONS = frozenset(TRANSCRIPT_EXTENSIONS) | {RTTM_EXTENSION}

_NOT_FOUND = {"NoSuchBucket", "NoSuchKey", "404", "NotFound"}
_UNAUTHENTICATED = {"InvalidAccessKeyId", "SignatureDoesNotMatch", "ExpiredToken", "InvalidToken",
                    "TokenRefreshRequired", "InvalidClientTokenId", "AuthorizationHeaderMalformed"}
_DENIED = {"AccessDenied", "AllAccessDisabled", "403", "Forbidden", "AccountProblem"}


class ObjectMissing(NotFound):
    """One listed object is gone (deleted since the listing): reported for that file, the ingest goes on."""


@dataclass(frozen=True)
class S3Options:
    channels: str = "downmix"        # "split": one recording per channel
    recursive: bool = True           # False: only objects directly under the prefix
    endpoint_url: str | None = None  # S3-compatible endpoint; None: AWS
    region: str | None = None        # None: from the profile/environment, else us-east-1
    profile: str | None = None       # a named profile of the server's AWS files; None: the default chain
    anonymous: bool = False          # unsigned requests (public buckets)


@dataclass(frozen=True)
class S3Object:
    key: str
    size: int  # bytes


@dataclass(frozen=True)
class S3Source(Source):
    name: ClassVar[str] = "s3"
    uri: str         # as the user wrote it: s3://bucket/prefix/
    bucket: str
    prefix: str      # "" for the whole bucket; a "folder" prefix ends with "/"
    options: S3Options

    @classmethod
    def parse(cls, where: str, uri, options: dict, access: SourceAccess = SourceAccess()) -> "S3Source":
        """Validates an s3 source against what the operator allows (`access`: endpoints and profiles)."""
        if not isinstance(uri, str) or not uri.strip():
            raise InvalidArgument(f"{where}.uri is required: s3://bucket/prefix/")
        parsed = urlparse(uri.strip())
        if parsed.scheme != "s3" or not parsed.netloc:
            raise InvalidArgument(f"{where}.uri {echo(uri)}: an s3 source takes s3://bucket/prefix/")
        if not isinstance(options, dict):
            raise InvalidArgument(f"{where}.options must be an object, got {type(options).__name__}")
        unknown = sorted(set(options) - set(S3_OPTION_KEYS))
        if unknown:
            raise InvalidArgument(f"{where}.options has unknown keys {echo(unknown)}; known: {list(S3_OPTION_KEYS)}")
        common = parse_options(where, {k: v for k, v in options.items() if k in ("channels", "recursive")})
        strings = {}
        for key in ("endpoint_url", "region", "profile"):
            value = options.get(key)
            if value is not None and (not isinstance(value, str) or not value.strip()):
                raise InvalidArgument(f"{where}.options.{key} must be a non-empty string, got {echo(value)}")
            strings[key] = value.strip() if isinstance(value, str) else None
        if strings["endpoint_url"] and urlparse(strings["endpoint_url"]).scheme not in ("http", "https"):
            raise InvalidArgument(f"{where}.options.endpoint_url {echo(strings['endpoint_url'])} must be an http(s) "
                                  "URL")
        if strings["endpoint_url"] and "@" in urlparse(strings["endpoint_url"]).netloc:
            # credentials in the URL would be stored with the dataset's spec and shown by GetDataset
            raise InvalidArgument(f"{where}.options.endpoint_url must not carry credentials (user:password@host); "
                                  "the server reads S3 credentials from its own environment or AWS profile")
        anonymous = options.get("anonymous", False)
        if not isinstance(anonymous, bool):
            raise InvalidArgument(f"{where}.options.anonymous must be true or false, got {echo(anonymous)}")
        strings["endpoint_url"] = strings["endpoint_url"] or (access.s3_endpoints[0] if access.s3_endpoints else None)
        prefix = parsed.path.lstrip("/")
        source = cls(uri=uri.strip(), bucket=parsed.netloc, prefix=prefix,
                     options=S3Options(channels=common.channels, recursive=common.recursive, anonymous=anonymous,
                                       **strings))
        source.check_access(where, access)
        return source

    def check_access(self, where: str, access: SourceAccess) -> None:
        """PERMISSION_DENIED, before any connection, for an endpoint or a profile the operator does not allow."""
        endpoint, profile = self.options.endpoint_url, self.options.profile
        if endpoint is not None and _normal_url(endpoint) not in {_normal_url(e) for e in access.s3_endpoints}:
            raise PermissionDenied(
                f"{where}.options.endpoint_url {echo(endpoint)} is not an S3 endpoint this server may use; its "
                "operator allows endpoints with `adapt serve --s3-endpoint URL` (leave endpoint_url out to use "
                "the server's default)")
        if profile is not None and profile not in access.s3_profiles:
            raise PermissionDenied(
                f"{where}.options.profile {echo(profile)} is not an AWS profile this server may use; its operator "
                "allows profiles with `adapt serve --s3-profile NAME` (leave profile out for the default "
                "credentials)")

    def to_spec(self) -> dict:
        o = self.options
        return {"type": "s3", "uri": self.uri, "bucket": self.bucket, "prefix": self.prefix,
                "options": {k: getattr(o, k) for k in S3_OPTION_KEYS if getattr(o, k) is not None}}

    @classmethod
    def from_spec(cls, spec: dict) -> "S3Source":
        return cls(uri=spec["uri"], bucket=spec["bucket"], prefix=spec["prefix"],
                   options=S3Options(**spec["options"]))

    def object_uri(self, key: str) -> str:
        return f"s3://{self.bucket}/{key}"

    def require_audio(self, where: str) -> None:
        """Also checks that the bucket exists and the server's credentials may list it."""
        if not s3_has_audio(self):
            raise InvalidArgument(f"{where}: {self.uri} holds no audio objects (looked for {LOOKED_FOR}); "
                                  "check the prefix")

    def reader(self, access: SourceAccess = SourceAccess()) -> "S3Reader":
        """Checks the allow-lists again (the operator may have changed them since the dataset was created)."""
        self.check_access("source", access)
        return S3Reader(self)

    # --- access -------------------------------------------------------------------------------------
    def client(self):
        """A boto3 S3 client for this source (credentials from the usual chain or the named profile)."""
        import boto3
        import botocore.config
        import botocore.exceptions
        from botocore import UNSIGNED

        try:
            session = boto3.session.Session(profile_name=self.options.profile) if self.options.profile \
                else boto3.session.Session()
        except botocore.exceptions.ProfileNotFound:
            raise InvalidArgument(f"{self.uri}: options.profile {echo(self.options.profile)} is not a profile in "
                                  "the server's AWS config/credentials files") from None
        config = botocore.config.Config(
            connect_timeout=CONNECT_TIMEOUT_S, read_timeout=READ_TIMEOUT_S,
            retries={"max_attempts": MAX_ATTEMPTS, "mode": "standard"},
            signature_version=UNSIGNED if self.options.anonymous else None,
            s3={"addressing_style": "path"} if self.options.endpoint_url else None)
        region = self.options.region or session.region_name or "us-east-1"
        return session.client("s3", endpoint_url=self.options.endpoint_url, region_name=region, config=config)

    def check(self) -> None:
        """Create-time validation: the bucket exists and these credentials may list it; raises a status error."""
        client = self.client()
        with s3_errors(self):
            client.list_objects_v2(Bucket=self.bucket, Prefix=self.prefix, MaxKeys=1)

    def objects(self, client=None) -> list[S3Object]:
        """Every object under the prefix (sorted by key), following pagination."""
        client = client or self.client()
        kwargs = {"Bucket": self.bucket, "Prefix": self.prefix, "PaginationConfig": {"PageSize": LIST_PAGE_SIZE}}
        if not self.options.recursive:
            kwargs["Delimiter"] = "/"
        found = []
        with s3_errors(self):
            for page in client.get_paginator("list_objects_v2").paginate(**kwargs):
                found += [S3Object(o["Key"], int(o.get("Size", 0))) for o in page.get("Contents", [])]
        return sorted(found, key=lambda o: o.key)

    def download(self, client, key: str, destination: Path) -> None:
        """Streams one object to `destination` in DOWNLOAD_CHUNK_BYTES parts (never held in memory whole)."""
        from boto3.s3.transfer import TransferConfig
        config = TransferConfig(multipart_chunksize=DOWNLOAD_CHUNK_BYTES, multipart_threshold=DOWNLOAD_CHUNK_BYTES,
                                max_concurrency=2, io_chunksize=256 * 1024)
        with s3_errors(self, key), open(destination, "wb") as out:
            client.download_fileobj(self.bucket, key, out, Config=config)


@contextlib.contextmanager
def s3_errors(source: S3Source, key: str | None = None) -> Iterator[None]:
    """Maps botocore errors to status errors that say what to fix (names the bucket/object, never secrets)."""
    import botocore.exceptions as bx
    what = source.object_uri(key) if key else f"s3://{source.bucket}/{source.prefix}"
    endpoint = source.options.endpoint_url or "AWS S3"
    try:
        yield
    except bx.ClientError as exc:
        code = str(exc.response.get("Error", {}).get("Code", ""))
        status = str(exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", ""))
        if code == "NoSuchBucket" or (key is None and (code in _NOT_FOUND or status == "404")):
            raise NotFound(f"{what}: bucket {echo(source.bucket)} does not exist at {endpoint}; check the uri "
                           "(and options.endpoint_url / region)") from None
        if code in _NOT_FOUND or status == "404":
            raise ObjectMissing(f"{what}: the object does not exist (deleted since the listing?)") from None
        if code in _UNAUTHENTICATED:
            raise Unauthenticated(f"{what}: {endpoint} refused the server's credentials ({code}); fix the "
                                  "server's AWS credentials (environment or options.profile)") from None
        if code in _DENIED or status == "403":
            raise PermissionDenied(f"{what}: access denied ({code or status}); the server's credentials may not "
                                   "list/read this bucket: grant s3:ListBucket and s3:GetObject") from None
        raise FailedPrecondition(f"{what}: {endpoint} answered with S3 error {echo(code or status, 64)}; check "
                                 "the bucket, the prefix and the server's permissions") from None
    except (bx.NoCredentialsError, bx.PartialCredentialsError):
        raise Unauthenticated(f"{what}: the server has no AWS credentials; set AWS_ACCESS_KEY_ID and "
                              "AWS_SECRET_ACCESS_KEY (or a profile) in the server's environment, or "
                              "options.anonymous for a public bucket") from None
    except (bx.EndpointConnectionError, bx.ConnectTimeoutError, bx.ReadTimeoutError) as exc:
        raise FailedPrecondition(f"{what}: cannot reach {endpoint} ({type(exc).__name__}); check that the "
                                 "endpoint is up and reachable from the server") from None
    except bx.BotoCoreError as exc:
        raise FailedPrecondition(f"{what}: the S3 client failed ({type(exc).__name__}) talking to {endpoint}; "
                                 "check the endpoint and the server's AWS configuration") from None


def sibling_keys(key: str, extensions: tuple[str, ...], keys: set[str]) -> str | None:
    """The first key with `key`'s stem and one of `extensions` (in order) that exists in `keys`."""
    stem = str(PurePosixPath(key).with_suffix(""))
    return next((stem + ext for ext in extensions if stem + ext in keys), None)


def is_audio_key(key: str) -> bool:
    return PurePosixPath(key).suffix.lower() in AUDIO_EXTENSIONS


class S3Reader:
    """Lists `source` once (raises NotFound / Unauthenticated / PermissionDenied like S3Source.check)."""

    def __init__(self, source: S3Source):
        self.source = source
        self.client = source.client()
        self.objects = source.objects(self.client)
        self.keys = {o.key for o in self.objects}

    @property
    def options(self):
        return self.source.options

    def files(self) -> list[SourceFile]:
        """Audio objects (usable) and other objects that are not sidecars (skipped, with the reason)."""
        files = []
        for obj in self.objects:
            suffix = PurePosixPath(obj.key).suffix.lower()
            if obj.key.endswith("/") or suffix in SIDECAR_EXTENSIONS:
                continue  # a "folder" marker or a sidecar of some audio object
            uri = self.source.object_uri(obj.key)
            if suffix in AUDIO_EXTENSIONS:
                files.append(SourceFile(uri, None if obj.size > 0 else "the object is empty (0 bytes)"))
            else:
                files.append(SourceFile(uri, f"not an audio file (extension {suffix or 'none'!r}); skipped"))
        return files

    def key(self, file: SourceFile) -> str:
        return file.uri[len(f"s3://{self.source.bucket}/"):]

    @contextlib.contextmanager
    def fetch(self, file: SourceFile, tmp_parent: Path) -> Iterator[LocalFiles]:
        """Downloads the object and its sidecars into a temporary folder, removed on exit."""
        key = self.key(file)
        tmp_parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix="s3-", dir=tmp_parent) as tmp:
            folder = Path(tmp)
            audio = folder / PurePosixPath(key).name
            self.source.download(self.client, key, audio)
            transcript_key = sibling_keys(key, TRANSCRIPT_EXTENSIONS, self.keys)
            rttm_key = sibling_keys(key, (RTTM_EXTENSION,), self.keys)
            yield LocalFiles(audio=audio, transcript=self._download(transcript_key, folder),
                             rttm=self._download(rttm_key, folder),
                             transcript_uri=self.source.object_uri(transcript_key) if transcript_key else "",
                             rttm_uri=self.source.object_uri(rttm_key) if rttm_key else "")

    def _download(self, key: str | None, folder: Path) -> Path | None:
        if key is None:
            return None
        path = folder / PurePosixPath(key).name
        self.source.download(self.client, key, path)
        return path


def s3_has_audio(source: S3Source, max_pages: int = 10) -> bool:
    """True when the prefix holds an audio object (stops at the first; looks at most max_pages pages)."""
    client = source.client()
    kwargs = {"Bucket": source.bucket, "Prefix": source.prefix}
    if not source.options.recursive:
        kwargs["Delimiter"] = "/"
    with s3_errors(source):
        for number, page in enumerate(client.get_paginator("list_objects_v2").paginate(**kwargs)):
            if any(is_audio_key(o["Key"]) for o in page.get("Contents", [])):
                return True
            if number + 1 >= max_pages:
                return True  # a large listing: let the ingest report it rather than scan it all here
    return False


def _normal_url(url: str) -> str:
    """An endpoint URL compared case-insensitively in scheme and host, without a trailing slash."""
    parsed = urlparse(url.strip())
    return parsed._replace(scheme=parsed.scheme.lower(), netloc=parsed.netloc.lower()).geturl().rstrip("/")
