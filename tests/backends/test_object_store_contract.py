"""The ObjectStore contract, run on every backend: a local folder and S3."""

from __future__ import annotations

import hashlib
import os
import tracemalloc
from collections.abc import AsyncIterator
from pathlib import Path

import aioboto3
import httpx
import pytest

from app.settings import StorageSettings
from app.storage.base import ObjectNotFound, ObjectStore, ObjectTooLarge
from app.storage.local import LocalObjectStore
from app.storage.s3 import ObjectStoreError, S3ObjectStore
from tests.backends.conftest import Deadline, RealServices, free_port, unique

MiB = 1024 * 1024


def _s3_settings(services: RealServices) -> StorageSettings:
    return StorageSettings(
        backend="s3",
        s3_endpoint=services.s3_endpoint,
        s3_access_key=services.s3_access_key,
        s3_secret_key=services.s3_secret_key,
    )


async def _drop_bucket(settings: StorageSettings, bucket: str) -> None:
    """Delete a test bucket with everything left in it, pending uploads included."""
    session = aioboto3.Session(
        aws_access_key_id=settings.s3_access_key,
        aws_secret_access_key=settings.s3_secret_key,
        region_name=settings.s3_region,
    )
    async with session.client("s3", endpoint_url=settings.s3_endpoint) as s3:
        uploads = await s3.list_multipart_uploads(Bucket=bucket)
        for upload in uploads.get("Uploads", []):
            await s3.abort_multipart_upload(
                Bucket=bucket, Key=upload["Key"], UploadId=upload["UploadId"]
            )
        listing = await s3.list_objects_v2(Bucket=bucket)
        for item in listing.get("Contents", []):
            await s3.delete_object(Bucket=bucket, Key=item["Key"])
        await s3.delete_bucket(Bucket=bucket)


@pytest.fixture(params=["local", pytest.param("s3", marks=pytest.mark.stack)])
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[ObjectStore]:
    if request.param == "local":
        yield LocalObjectStore(tmp_path / "objects", "murmur-test")
        return

    settings = _s3_settings(request.getfixturevalue("real_services"))
    s3_store = S3ObjectStore(settings, unique("murmur-test"))
    await s3_store.ensure_bucket(public_read=False)
    yield s3_store
    await s3_store.close()
    await _drop_bucket(settings, s3_store.bucket)


async def _chunks(data: bytes, size: int = 64 * 1024) -> AsyncIterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start : start + size]


async def _generated(
    total: int, digest: hashlib._Hash, chunk: int = 256 * 1024
) -> AsyncIterator[bytes]:
    """total pseudo-random bytes made on the fly, hashed into digest as they go."""
    sent = 0
    while sent < total:
        piece = os.urandom(min(chunk, total - sent))
        digest.update(piece)
        sent += len(piece)
        yield piece


async def _read_all(store: ObjectStore, key: str) -> bytes:
    return b"".join([chunk async for chunk in store.open(key)])


async def _pending_uploads(store: ObjectStore) -> list[str]:
    if isinstance(store, S3ObjectStore):
        return await store.pending_uploads()
    return []


async def test_put_open_delete_round_trip(store: ObjectStore) -> None:
    data = "café ☕ 🎉\n".encode() * 1000

    size = await store.put_stream("posts/1/note.txt", _chunks(data), "text/plain")

    assert size == len(data)
    assert await store.head("posts/1/note.txt") == len(data)
    assert await _read_all(store, "posts/1/note.txt") == data
    assert await store.list_keys("posts/1/") == ["posts/1/note.txt"]

    await store.delete("posts/1/note.txt")

    assert await store.head("posts/1/note.txt") is None
    assert await store.list_keys() == []
    await store.delete("posts/1/note.txt")  # deleting a missing key is not an error


async def test_head_of_missing_key_is_none(store: ObjectStore) -> None:
    assert await store.head("no/such/key") is None


async def test_open_of_missing_key_raises_object_not_found(store: ObjectStore) -> None:
    with pytest.raises(ObjectNotFound):
        await _read_all(store, "no/such/key")


async def test_download_of_missing_key_raises_and_leaves_no_file(
    store: ObjectStore, tmp_path: Path
) -> None:
    target = tmp_path / "out.bin"

    with pytest.raises(ObjectNotFound):
        await store.download_to("no/such/key", target)

    assert not target.exists()


async def test_small_stream_over_limit_raises_and_leaves_nothing(store: ObjectStore) -> None:
    with pytest.raises(ObjectTooLarge) as caught:
        await store.put_stream("up/small", _chunks(b"x" * 5000, 1000), "text/plain", 4096)

    assert caught.value.limit == 4096
    assert await store.list_keys() == []


async def test_multipart_stream_over_limit_raises_and_leaves_nothing(store: ObjectStore) -> None:
    # 20 MiB against a 12 MiB limit: on S3 one 8 MiB part is already up when it trips.
    digest = hashlib.sha256()

    with pytest.raises(ObjectTooLarge) as caught:
        await store.put_stream("up/big", _generated(20 * MiB, digest), "video/mp4", 12 * MiB)

    assert caught.value.limit == 12 * MiB
    assert await store.list_keys() == []
    assert await store.head("up/big") is None
    assert await _pending_uploads(store) == []


async def test_failing_source_stream_leaves_nothing(store: ObjectStore) -> None:
    async def broken() -> AsyncIterator[bytes]:
        yield b"y" * (9 * MiB)
        raise ConnectionResetError("client went away")

    with pytest.raises(ConnectionResetError):
        await store.put_stream("up/broken", broken(), "video/mp4")

    assert await store.list_keys() == []
    assert await _pending_uploads(store) == []


async def test_large_stream_round_trips_without_being_held_in_memory(
    store: ObjectStore, tmp_path: Path
) -> None:
    total = 40 * MiB
    sent = hashlib.sha256()

    tracemalloc.start()
    try:
        size = await store.put_stream("video/big.mp4", _generated(total, sent), "video/mp4")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert size == total
    assert peak < 24 * MiB, f"upload held {peak / MiB:.1f} MiB at its peak"
    assert await store.head("video/big.mp4") == total

    streamed = hashlib.sha256()
    async for chunk in store.open("video/big.mp4"):
        streamed.update(chunk)
    assert streamed.hexdigest() == sent.hexdigest()

    target = tmp_path / "big.mp4"
    assert await store.download_to("video/big.mp4", target) == total
    assert hashlib.sha256(target.read_bytes()).hexdigest() == sent.hexdigest()


async def test_put_file_round_trips_a_multipart_sized_file(
    store: ObjectStore, tmp_path: Path
) -> None:
    source = tmp_path / "in.bin"
    source.write_bytes(os.urandom(9 * MiB + 123))

    size = await store.put_file("media/in.bin", source, "application/octet-stream")

    assert size == source.stat().st_size
    assert await _read_all(store, "media/in.bin") == source.read_bytes()


async def test_list_keys_is_sorted_and_filtered_by_prefix(store: ObjectStore) -> None:
    if isinstance(store, S3ObjectStore):
        store.list_page_size = 2  # make five keys span three list pages
    for key in ["b/2", "a/1", "b/1", "b/3", "c/1"]:
        await store.put_stream(key, _chunks(b"k"), "text/plain")

    assert await store.list_keys("b/") == ["b/1", "b/2", "b/3"]
    assert await store.list_keys() == ["a/1", "b/1", "b/2", "b/3", "c/1"]


async def test_check_passes_when_the_bucket_answers(store: ObjectStore) -> None:
    await store.check()


# -- S3 only ---------------------------------------------------------------------------


async def test_s3_check_fails_fast_when_the_server_is_down() -> None:
    settings = StorageSettings(backend="s3", s3_endpoint=f"http://127.0.0.1:{free_port()}")
    down = S3ObjectStore(settings, "murmur-media")

    with Deadline() as took, pytest.raises(ObjectStoreError) as caught:
        await down.check()
    await down.close()

    assert took.seconds < 10
    assert "murmur-media" in str(caught.value)
    assert caught.value.__cause__ is not None


@pytest.mark.stack
async def test_s3_public_read_bucket_serves_objects_anonymously_and_private_does_not(
    real_services: RealServices,
) -> None:
    settings = _s3_settings(real_services)
    media = S3ObjectStore(settings, unique("murmur-media"))
    buffer = S3ObjectStore(settings, unique("murmur-buffer"))
    try:
        await media.ensure_bucket(public_read=True)
        await buffer.ensure_bucket(public_read=False)
        await media.ensure_bucket(public_read=True)  # twice: a second replica starting
        await media.put_stream("p/1.jpg", _chunks(b"jpeg"), "image/jpeg")
        await buffer.put_stream("p/1.jpg", _chunks(b"jpeg"), "image/jpeg")

        async with httpx.AsyncClient(base_url=settings.s3_endpoint) as anonymous:
            public = await anonymous.get(f"/{media.bucket}/p/1.jpg")
            private = await anonymous.get(f"/{buffer.bucket}/p/1.jpg")
            listing = await anonymous.get(f"/{media.bucket}/")

        assert public.status_code == 200
        assert public.content == b"jpeg"
        assert public.headers["content-type"] == "image/jpeg"
        assert private.status_code == 403
        assert listing.status_code == 403
    finally:
        for bucket_store in (media, buffer):
            await bucket_store.close()
            await _drop_bucket(settings, bucket_store.bucket)
