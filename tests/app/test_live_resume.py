"""A websocket that reconnects with the last id it saw gets exactly what it missed."""

from __future__ import annotations

from tests.murmur_client import MurmurClient


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
