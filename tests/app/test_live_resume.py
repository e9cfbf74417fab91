"""A websocket that reconnects with the last id it saw gets exactly what it missed."""

from __future__ import annotations

import asyncio

import pytest

from tests.murmur_client import MurmurClient
from tests.servers import EmbeddedServer


async def test_reconnect_replays_missed_posts_once_and_in_order(make_client) -> None:
    author: MurmurClient = await make_client()
    reader: MurmurClient = await make_client()
    socket = await reader.open_socket()
    seen = await author.post("before the drop")
    last = (await socket.next_message(lambda m: m.get("post_id") == seen["id"]))["id"]
    await socket.close()

    missed = [(await author.post(f"during the drop {i}"))["id"] for i in range(3)]
    socket = await reader.open_socket(last=last)
    replayed = [
        await socket.next_message(lambda m, i=i: m.get("post_id") == i, timeout=10) for i in missed
    ]

    assert [m["type"] for m in replayed] == ["post.created"] * 3
    assert [m["id"] for m in replayed] == sorted(m["id"] for m in replayed)
    after = await author.post("after the reconnect")
    await socket.next_message(lambda m: m.get("post_id") == after["id"])
    ids = [m["id"] for m in socket.seen if "id" in m]
    assert len(ids) == len(set(ids)), "a message arrived twice"
    assert seen["id"] not in [m.get("post_id") for m in socket.seen]
    await socket.close()


async def test_reconnect_after_a_gap_older_than_the_window_asks_for_a_reload(make_client) -> None:
    reader: MurmurClient = await make_client()
    socket = await reader.open_socket(last=-100)
    reload = await socket.next_message(lambda m: m["type"] == "reload", timeout=10)
    assert reload["reason"]
    await socket.close()


async def test_socket_without_a_session_is_told_to_log_in(embedded_server) -> None:
    import websockets

    url = embedded_server.base_url.replace("http://", "ws://") + "/ws"
    async with websockets.connect(url) as socket:
        with pytest.raises(websockets.ConnectionClosed) as closed:
            await asyncio.wait_for(socket.recv(), 10)
    assert closed.value.rcvd.code == 4401


async def test_page_open_across_a_server_restart_is_told_to_reload_and_keeps_getting_posts(
    tmp_path,
) -> None:
    server = EmbeddedServer(tmp_path / "restarting")
    server.start()
    author, reader = MurmurClient(server.base_url), MurmurClient(server.base_url)
    try:
        await author.sign_up()
        await reader.sign_up()
        socket = await reader.open_socket()
        before = await author.post("before the restart")
        last = (await socket.next_message(lambda m: m.get("post_id") == before["id"]))["id"]
        await socket.close()

        server.stop()
        server.start()
        socket = await reader.open_socket(last=last)
        await socket.next_message(lambda m: m["type"] == "reload", timeout=10)
        after = await author.post("after the restart")
        await socket.next_message(lambda m: m.get("post_id") == after["id"], timeout=10)
        await socket.close()
    finally:
        await author.close()
        await reader.close()
        server.stop()
