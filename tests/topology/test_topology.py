"""The production topology end to end: two replicas behind Nginx, Kafka, MariaDB, S3, encoders."""

from __future__ import annotations

import re
import signal
from pathlib import Path

from stack.services import Stack
from tests import media_factory as make
from tests.topology.conftest import in_thread, query_one, replica_of, user_on, wait_until

BUFFER, MEDIA = "murmur-buffer", "murmur-media"


async def test_posts_through_replica_1_reach_a_socket_on_replica_2(
    through_nginx, s3, tmp_path: Path
) -> None:
    author = await user_on(through_nginx, "web-1")
    watcher = await user_on(through_nginx, "web-2")
    socket = await watcher.open_socket()
    assert socket.hello["replica"] == "web-2"

    photo = await author.post("photo from replica 1 🌍", [make.phone_photo(tmp_path)])
    video = await author.post(
        "video from replica 1", [make.landscape_video(tmp_path, seconds=2, width=640, height=360)]
    )
    for post in (photo, video):
        await socket.next_message(
            lambda m, i=post["id"]: m["type"] == "post.created" and m["post_id"] == i
        )
        ready = await socket.next_message(
            lambda m, i=post["id"]: m["type"] == "post.ready" and m["post_id"] == i, timeout=120
        )
        assert "/media/posts/" in ready["html"]

    for post in (photo, video):
        finished = await watcher.get_post(post["id"])
        attachment = finished["attachments"][0]
        keys = await s3(MEDIA, f"posts/{post['id']}/")
        assert keys == sorted(
            [
                attachment["url"].removeprefix("/media/"),
                attachment["thumb_url"].removeprefix("/media/"),
            ]
        )
        served = await watcher.http.get(attachment["url"])  # through Nginx, from the media bucket
        assert served.status_code == 200 and len(served.content) == attachment["byte_size"]
    assert (
        await s3(BUFFER, f"uploads/{(await author.http.get('/api/v1/session')).json()['id']}/")
        == []
    )
    await socket.close()


async def test_emoji_text_survives_mariadb(through_nginx, topology: Stack) -> None:
    client = await through_nginx()
    text = "Grüße 👋🏽🎉 — 漢字 and a flag 🇳🇴"
    post = await client.post(text)
    assert (await client.get_post(post["id"]))["text"] == text

    stored, hexed = await query_one(
        topology, "SELECT text, HEX(text) FROM posts WHERE id = %s", post["id"]
    )
    assert stored == text
    assert "F09F918B" in hexed  # 👋 as four UTF-8 bytes, not "?"


async def test_twenty_jobs_on_two_encoders_are_each_done_once_and_shared(
    through_nginx, topology: Stack, tmp_path: Path
) -> None:
    client = await through_nginx()
    photo = make.small_photo(tmp_path, 320, 240)
    posts = [await client.post(f"job {i}", [photo]) for i in range(20)]
    for post in posts:
        await client.wait_for_post(post["id"], timeout=180)

    done: dict[int, list[str]] = {p["id"]: [] for p in posts}
    for encoder in ("encoder-1", "encoder-2"):
        for match in re.finditer(
            r"job post_id=(\d+) kinds=\S+ outcome=ready", topology.log_path(encoder).read_text()
        ):
            if int(match.group(1)) in done:
                done[int(match.group(1))].append(encoder)
    assert all(len(workers) == 1 for workers in done.values()), done
    shares = {e: sum(w == [e] for w in done.values()) for e in ("encoder-1", "encoder-2")}
    assert all(shares.values()), f"one encoder did all the work: {shares}"


async def test_encoder_killed_mid_job_still_ends_ready_with_one_set_of_outputs(
    through_nginx, topology: Stack, s3, tmp_path: Path
) -> None:
    client = await through_nginx()
    clip = make.landscape_video(tmp_path, seconds=20)
    post = await client.post("survives a crash", [clip])
    started = re.compile(rf"job started post_id={post['id']}\b")

    victim: list[str] = []

    async def someone_started() -> bool:
        victim[:] = [
            e
            for e in ("encoder-1", "encoder-2")
            if started.search(topology.log_path(e).read_text())
        ]
        return bool(victim)

    await wait_until(someone_started, 60, "an encoder to start the job")
    in_thread(topology.kill, victim[0], signal.SIGKILL)
    try:
        finished = await client.wait_for_post(post["id"], timeout=240)
    finally:
        in_thread(topology.start, victim[0])

    attachment = finished["attachments"][0]
    assert await s3(MEDIA, f"posts/{post['id']}/") == sorted(
        [attachment["url"].removeprefix("/media/"), attachment["thumb_url"].removeprefix("/media/")]
    )
    survivor = "encoder-2" if victim[0] == "encoder-1" else "encoder-1"
    assert re.search(
        rf"job post_id={post['id']} kinds=video outcome=ready",
        topology.log_path(survivor).read_text(),
    )


async def test_page_loads_keep_working_when_a_replica_stops(through_nginx, topology: Stack) -> None:
    on_1 = await user_on(through_nginx, "web-1")
    on_2 = await user_on(through_nginx, "web-2")
    in_thread(topology.stop, "web-1")
    try:
        for _ in range(10):
            for client in (on_1, on_2):
                response = await client.http.get("/")
                assert response.status_code == 200, response.text[:300]
        assert await replica_of(on_1) == "web-2"
        created = await on_1.post("posted while web-1 is down")
        assert created["status"] == "ready"
    finally:
        in_thread(topology.start, "web-1")

    async def back_on_web_1() -> bool:
        return await replica_of(on_1) == "web-1"

    # Nginx tries the replica again once its fail_timeout has passed; the hash brings the
    # session home.
    await wait_until(back_on_web_1, 40, "Nginx to send web-1's sessions back to it")
