"""A backing service that is down gives a clear 503, never a hang or a half-written post."""

from __future__ import annotations

from pathlib import Path

from stack.services import Stack
from tests import media_factory as make
from tests.topology.conftest import in_thread, query_one


async def test_database_down_gives_503_with_a_reason_then_recovers(
    through_nginx, topology: Stack
) -> None:
    client = await through_nginx()
    in_thread(topology.stop, "mariadb")
    try:
        response = await client.http.get("/api/v1/posts", timeout=20)
        assert response.status_code == 503
        assert "database" in response.json()["detail"]
        page = await client.http.get("/", timeout=20)
        assert page.status_code == 503 and "The database" in page.text
    finally:
        in_thread(topology.start, "mariadb")
    assert (await client.http.get("/api/v1/posts")).status_code == 200


async def test_storage_down_refuses_the_upload_and_keeps_no_row(
    through_nginx, topology: Stack, tmp_path: Path
) -> None:
    client = await through_nginx()
    owner_id = (await client.http.get("/api/v1/session")).json()["id"]
    photo = make.small_photo(tmp_path)
    in_thread(topology.stop, "s3")
    try:
        response = await client.upload(photo)
        assert response.status_code == 503
        assert "storage is not reachable" in response.json()["detail"]
    finally:
        in_thread(topology.start, "s3")
    (count,) = await query_one(
        topology, "SELECT COUNT(*) FROM attachments WHERE owner_id = %s", owner_id
    )
    assert count == 0
    assert (await client.upload(photo)).status_code == 201


async def test_post_made_while_kafka_is_down_is_encoded_once_it_is_back(
    through_nginx, topology: Stack, tmp_path: Path
) -> None:
    client = await through_nginx()
    photo = make.small_photo(tmp_path)
    in_thread(topology.stop, "kafka")
    try:
        created = await client.post("queued while the bus is down", [photo])
        assert created["status"] == "processing"
        assert (await client.get_post(created["id"]))["status"] == "processing"
    finally:
        in_thread(topology.start, "kafka")
    ready = await client.wait_for_post(created["id"], timeout=180)
    assert ready["attachments"][0]["url"]
