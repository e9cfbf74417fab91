"""Notifications on the embedded server: stored, pushed only to their user, read on sight."""

from __future__ import annotations

import re

from tests.murmur_client import MurmurClient


async def _unread(client: MurmurClient) -> int:
    return int((await client.http.get("/api/v1/notifications")).json()["unread"])


async def test_follow_like_and_comment_notify_the_author_live(make_client) -> None:
    author: MurmurClient = await make_client()
    fan: MurmurClient = await make_client()
    post_id = (await author.post("notify me"))["id"]
    socket = await author.open_socket()

    await fan.follow(author.username)
    await fan.like(post_id)
    await fan.comment(post_id, "great post")

    kinds = []
    for unread in (1, 2, 3):
        message = await socket.next_message(
            lambda m, n=unread: m["type"] == "notification" and m["unread"] == n, timeout=10
        )
        kinds.append(message["kind"])
        assert f"@{fan.username}" in message["text"]
    assert kinds == ["followed", "liked", "commented"]
    assert await _unread(author) == 3
    await socket.close()


async def test_own_actions_and_repeated_likes_do_not_notify(make_client) -> None:
    author: MurmurClient = await make_client()
    fan: MurmurClient = await make_client()
    post_id = (await author.post("quiet"))["id"]

    await author.like(post_id)
    await author.comment(post_id, "talking to myself")
    assert await _unread(author) == 0

    for on in (True, False, True):
        await fan.like(post_id, on=on)
    assert await _unread(author) == 1


async def test_notification_never_reaches_another_users_socket(make_client) -> None:
    author: MurmurClient = await make_client()
    fan: MurmurClient = await make_client()
    bystander: MurmurClient = await make_client()
    post_id = (await author.post("private notification"))["id"]
    socket = await bystander.open_socket()
    start = socket.hello["last_id"]

    await fan.like(post_id)
    # Every socket gets events in one order: once the bystander sees this later public
    # post, it would already have seen the notification if it had been sent to it.
    marker = (await fan.post("after the like"))["id"]
    await socket.next_message(lambda m: m.get("post_id") == marker, timeout=10)
    assert not [m for m in socket.seen if m["type"] == "notification"]
    await socket.close()

    # Nor does a replay after a reconnect hand it over.
    replayed = await bystander.open_socket(last=start)
    await replayed.next_message(lambda m: m.get("post_id") == marker, timeout=10)
    assert not [m for m in replayed.seen if m["type"] == "notification"]
    await replayed.close()


async def test_notifications_page_lists_then_marks_read_and_resets_other_tabs(
    make_client,
) -> None:
    author: MurmurClient = await make_client()
    fan: MurmurClient = await make_client()
    post_id = (await author.post("read me"))["id"]
    await fan.comment(post_id, "a comment <b>with tags</b>")
    other_tab = await author.open_socket()

    feed = await author.http.get("/")
    assert re.search(r'<span class="badge" id="notif-count">1</span>', feed.text)

    page = await author.http.get("/notifications")
    assert page.status_code == 200
    assert 'class="notification is-unread"' in page.text
    assert "a comment &lt;b&gt;with tags&lt;/b&gt;" in page.text
    assert f'href="/posts/{post_id}"' in page.text
    assert await _unread(author) == 0

    read = await other_tab.next_message(lambda m: m["type"] == "notifications.read", timeout=10)
    assert read["unread"] == 0
    again = await author.http.get("/notifications")
    assert "is-unread" not in again.text
    feed = await author.http.get("/")
    assert re.search(r'<span class="badge" id="notif-count" hidden>0</span>', feed.text)
    await other_tab.close()


async def test_read_api_marks_everything_read(make_client) -> None:
    author: MurmurClient = await make_client()
    fan: MurmurClient = await make_client()
    await fan.follow(author.username)
    assert await _unread(author) == 1

    response = await author.http.post("/api/v1/notifications/read", headers=await author.headers())
    assert response.json() == {"marked": 1, "unread": 0}
    listed = (await author.http.get("/api/v1/notifications")).json()
    assert [n["unread"] for n in listed["notifications"]] == [False]
