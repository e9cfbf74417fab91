"""Object store on an S3 API (MinIO or any S3-compatible server), through aioboto3.

One ``S3ObjectStore`` is one bucket. It keeps one aiobotocore client for its whole life
(entered on first use, left in ``close``), so connections are pooled across requests.
Uploads of unknown length go up as multipart uploads in 8 MiB parts: memory stays at
about one part whatever the object's size, and a failed or oversized upload is aborted so
the server keeps nothing of it.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterable, AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import aioboto3
from aiobotocore.config import AioConfig
from botocore.exceptions import BotoCoreError, ClientError

from app.settings import StorageSettings
from app.storage.base import ObjectNotFound, ObjectTooLarge, StorageUnavailable

logger = logging.getLogger(__name__)

PART_SIZE = 8 * 1024 * 1024
"""Multipart part size; S3 wants at least 5 MiB for every part but the last."""

READ_CHUNK = 256 * 1024
"""Size of the pieces ``open`` and ``download_to`` hand on."""

CHECK_TIMEOUT_S = 3.0
"""Longest /readyz waits for the bucket to answer."""

_MISSING_CODES = {"NoSuchKey", "NotFound", "404"}
_MISSING_BUCKET_CODES = {"NoSuchBucket", "NotFound", "404"}
_TRANSPORT_ERRORS = (ClientError, BotoCoreError, OSError, asyncio.TimeoutError)


class ObjectStoreError(StorageUnavailable):
    """The S3 server failed, or could not be reached, for one bucket and key."""


def _client_config() -> AioConfig:
    # Short connect timeout and few retries: /readyz and uploads must fail fast when
    # the server is down instead of retrying for minutes. The read timeout bounds one
    # socket read, not a whole transfer, so it can stay generous for big objects.
    # Checksums only when required: newer botocore adds CRC headers by default, which
    # not every S3-compatible server accepts.
    return AioConfig(
        connect_timeout=2,
        read_timeout=30,
        retries={"max_attempts": 2, "mode": "standard"},
        s3={"addressing_style": "path"},
        request_checksum_calculation="when_required",
        response_checksum_validation="when_required",
        max_pool_connections=20,
    )


def _error_code(exc: BaseException) -> str:
    if isinstance(exc, ClientError):
        return str(exc.response.get("Error", {}).get("Code", ""))
    return ""


class S3ObjectStore:
    """One bucket on an S3 server."""

    def __init__(self, settings: StorageSettings, bucket: str) -> None:
        if len(bucket) < 3:
            raise ValueError(f"S3 bucket names need at least 3 characters, got {bucket!r}")
        self.bucket = bucket
        self._settings = settings
        self._session = aioboto3.Session(
            aws_access_key_id=settings.s3_access_key,
            aws_secret_access_key=settings.s3_secret_key,
            region_name=settings.s3_region,
        )
        self._stack = contextlib.AsyncExitStack()
        self._client: Any = None
        self._client_lock = asyncio.Lock()
        self.list_page_size = 1000
        """Keys per list request; S3 returns at most 1000."""

    def __repr__(self) -> str:
        return f"S3ObjectStore({self._settings.s3_endpoint!r}, bucket={self.bucket!r})"

    async def _s3(self) -> Any:
        """The store's client, created on first use and kept until close()."""
        if self._client is not None:
            return self._client
        async with self._client_lock:
            if self._client is None:
                client_cm = self._session.client(
                    "s3",
                    endpoint_url=self._settings.s3_endpoint,
                    config=_client_config(),
                )
                self._client = await self._stack.enter_async_context(client_cm)
        return self._client

    def _fail(self, action: str, key: str | None, exc: BaseException) -> ObjectStoreError:
        where = f"s3://{self.bucket}/{key}" if key is not None else f"bucket {self.bucket!r}"
        return ObjectStoreError(f"{action} {where} at {self._settings.s3_endpoint} failed: {exc}")

    @contextlib.contextmanager
    def _mapped(
        self, action: str, key: str | None, missing: type[Exception] | None = None
    ) -> Iterator[None]:
        """Turn S3 and transport errors of the block into ObjectStoreError (or missing,
        for a key that does not exist), naming bucket and key, the cause chained."""
        try:
            yield
        except _TRANSPORT_ERRORS as exc:
            if missing is not None and _error_code(exc) in _MISSING_CODES:
                raise missing(f"no object {key!r} in bucket {self.bucket!r}") from exc
            raise self._fail(action, key, exc) from exc

    # -- bucket set-up -------------------------------------------------------------------

    async def ensure_bucket(self, public_read: bool) -> None:
        """Create the bucket if missing and set who may read it.

        public_read lets anyone GET objects (not list them), so Nginx can proxy finished
        media without credentials; otherwise any bucket policy is removed.
        """
        s3 = await self._s3()
        with self._mapped("setting up", None):
            await self._create_if_missing(s3)
            if public_read:
                await s3.put_bucket_policy(Bucket=self.bucket, Policy=self._public_read_policy())
            else:
                await self._remove_policy(s3)
        logger.info("bucket %s ready (public_read=%s)", self.bucket, public_read)

    async def _create_if_missing(self, s3: Any) -> None:
        try:
            await s3.head_bucket(Bucket=self.bucket)
            return
        except ClientError as exc:
            if _error_code(exc) not in _MISSING_BUCKET_CODES:
                raise

        args: dict[str, Any] = {"Bucket": self.bucket}
        if self._settings.s3_region != "us-east-1":
            args["CreateBucketConfiguration"] = {"LocationConstraint": self._settings.s3_region}
        try:
            await s3.create_bucket(**args)
            logger.info("created bucket %s", self.bucket)
        except ClientError as exc:
            # Another replica starting at the same moment may have won the race.
            if _error_code(exc) not in {"BucketAlreadyOwnedByYou", "BucketAlreadyExists"}:
                raise

    async def _remove_policy(self, s3: Any) -> None:
        try:
            await s3.delete_bucket_policy(Bucket=self.bucket)
        except ClientError as exc:
            if _error_code(exc) not in {"NoSuchBucketPolicy", "NoSuchPolicy", "404"}:
                raise

    def _public_read_policy(self) -> str:
        return json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {"AWS": ["*"]},
                        "Action": ["s3:GetObject"],
                        "Resource": [f"arn:aws:s3:::{self.bucket}/*"],
                    }
                ],
            }
        )

    # -- writing -------------------------------------------------------------------------

    async def put_stream(
        self,
        key: str,
        chunks: AsyncIterable[bytes],
        content_type: str,
        max_bytes: int | None = None,
    ) -> int:
        """Store the chunks under key, one 8 MiB part at a time.

        An object smaller than one part goes up in a single PUT. Raises ObjectTooLarge
        as soon as more than max_bytes arrive; then, as on any other failure (of S3 or
        of the chunks' source, whose errors pass through unchanged), the multipart upload
        is aborted so nothing is left under key.
        """
        s3 = await self._s3()
        upload = _MultipartUpload(s3, self.bucket, key, content_type)
        buffer = bytearray()
        total = 0
        try:
            async for chunk in chunks:
                total += len(chunk)
                if max_bytes is not None and total > max_bytes:
                    raise ObjectTooLarge(max_bytes)
                buffer += chunk
                while len(buffer) >= PART_SIZE:
                    with self._mapped("uploading", key):
                        await upload.send_part(_take(buffer, PART_SIZE))

            with self._mapped("uploading", key):
                if not upload.started:
                    await s3.put_object(
                        Bucket=self.bucket, Key=key, Body=bytes(buffer), ContentType=content_type
                    )
                else:
                    if buffer:
                        await upload.send_part(bytes(buffer))
                    await upload.complete()
        except BaseException:
            # BaseException: a cancelled request (client gone) must not leave parts behind.
            await upload.abort()
            raise

        logger.debug("stored s3://%s/%s: %s bytes, %s parts", self.bucket, key, total, upload.parts)
        return total

    async def put_file(self, key: str, path: Path, content_type: str) -> int:
        """Store a local file under key (multipart above 8 MiB); returns its byte size."""
        return await self.put_stream(key, _read_file(path), content_type)

    # -- reading -------------------------------------------------------------------------

    async def _get_body(self, key: str) -> Any:
        s3 = await self._s3()
        with self._mapped("reading", key, missing=ObjectNotFound):
            response = await s3.get_object(Bucket=self.bucket, Key=key)
        return response["Body"]

    async def open(self, key: str) -> AsyncIterator[bytes]:
        """Stream the object's bytes; raises ObjectNotFound on first iteration."""
        body = await self._get_body(key)
        # Leaving the body's context releases the connection, also when the reader stops
        # early (a browser that went away mid-video).
        async with body:
            while True:
                with self._mapped("reading", key):
                    chunk = await body.read(READ_CHUNK)
                if not chunk:
                    return
                yield chunk

    async def download_to(self, key: str, path: Path) -> int:
        """Write the object to path, streaming; a failed download leaves no file.

        S3 failures raise ObjectStoreError; local file errors (disk full) stay OSError.
        """
        body = await self._get_body(key)
        size = 0
        out = await asyncio.to_thread(path.open, "wb")
        try:
            async with body:
                while True:
                    with self._mapped("downloading", key):
                        chunk = await body.read(READ_CHUNK)
                    if not chunk:
                        break
                    await asyncio.to_thread(out.write, chunk)
                    size += len(chunk)
            await asyncio.to_thread(out.close)
        except BaseException:
            out.close()
            await asyncio.to_thread(path.unlink, missing_ok=True)
            raise
        return size

    async def head(self, key: str) -> int | None:
        """Byte size of the object, or None if it does not exist."""
        s3 = await self._s3()
        try:
            with self._mapped("inspecting", key, missing=ObjectNotFound):
                response = await s3.head_object(Bucket=self.bucket, Key=key)
        except ObjectNotFound:
            return None
        return int(response["ContentLength"])

    async def list_keys(self, prefix: str = "") -> list[str]:
        """Keys under prefix, sorted, across as many list pages as there are."""
        s3 = await self._s3()
        keys: list[str] = []
        with self._mapped("listing", f"{prefix}*"):
            pages = s3.get_paginator("list_objects_v2").paginate(
                Bucket=self.bucket,
                Prefix=prefix,
                PaginationConfig={"PageSize": self.list_page_size},
            )
            async for page in pages:
                keys.extend(item["Key"] for item in page.get("Contents", []))
        return sorted(keys)

    async def pending_uploads(self, prefix: str = "") -> list[str]:
        """Keys of multipart uploads begun but neither completed nor aborted."""
        s3 = await self._s3()
        with self._mapped("listing uploads", f"{prefix}*"):
            response = await s3.list_multipart_uploads(Bucket=self.bucket, Prefix=prefix)
        return sorted(upload["Key"] for upload in response.get("Uploads", []))

    # -- removing and health -------------------------------------------------------------

    async def delete(self, key: str) -> None:
        """Remove the object; S3 answers success for a missing key too."""
        s3 = await self._s3()
        with self._mapped("deleting", key):
            await s3.delete_object(Bucket=self.bucket, Key=key)

    async def check(self) -> None:
        """Raise ObjectStoreError unless the bucket answers within a few seconds."""
        s3 = await self._s3()
        with self._mapped("checking", None):
            await asyncio.wait_for(s3.head_bucket(Bucket=self.bucket), CHECK_TIMEOUT_S)

    async def close(self) -> None:
        """Close the client and its connection pool."""
        await self._stack.aclose()
        self._client = None
        self._stack = contextlib.AsyncExitStack()


class _MultipartUpload:
    """A multipart upload begun on the first full part, so small objects never start one."""

    def __init__(self, s3: Any, bucket: str, key: str, content_type: str) -> None:
        self._s3 = s3
        self._bucket = bucket
        self._key = key
        self._content_type = content_type
        self._upload_id: str | None = None
        self._parts: list[dict[str, Any]] = []

    @property
    def started(self) -> bool:
        return self._upload_id is not None

    @property
    def parts(self) -> int:
        return len(self._parts)

    async def send_part(self, data: bytes) -> None:
        if self._upload_id is None:
            response = await self._s3.create_multipart_upload(
                Bucket=self._bucket, Key=self._key, ContentType=self._content_type
            )
            self._upload_id = response["UploadId"]

        number = len(self._parts) + 1
        response = await self._s3.upload_part(
            Bucket=self._bucket,
            Key=self._key,
            UploadId=self._upload_id,
            PartNumber=number,
            Body=data,
        )
        self._parts.append({"PartNumber": number, "ETag": response["ETag"]})

    async def complete(self) -> None:
        await self._s3.complete_multipart_upload(
            Bucket=self._bucket,
            Key=self._key,
            UploadId=self._upload_id,
            MultipartUpload={"Parts": self._parts},
        )
        self._upload_id = None

    async def abort(self) -> None:
        """Drop every part sent so far; a failure here is logged, not raised over the cause."""
        if self._upload_id is None:
            return
        upload_id, self._upload_id = self._upload_id, None
        try:
            await self._s3.abort_multipart_upload(
                Bucket=self._bucket, Key=self._key, UploadId=upload_id
            )
        except _TRANSPORT_ERRORS as exc:
            logger.warning(
                "could not abort upload %s of s3://%s/%s; its parts stay until the "
                "server's clean-up: %s",
                upload_id,
                self._bucket,
                self._key,
                exc,
            )


def _take(buffer: bytearray, size: int) -> bytes:
    """Remove and return the first size bytes, copying them once."""
    with memoryview(buffer) as view:
        head = bytes(view[:size])
    del buffer[:size]
    return head


async def _read_file(path: Path) -> AsyncIterator[bytes]:
    """A local file in part-sized pieces, read off the event loop."""
    with path.open("rb") as source:
        while chunk := await asyncio.to_thread(source.read, PART_SIZE):
            yield chunk
