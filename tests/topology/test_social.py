"""The social layer on the production topology: events cross replicas through Kafka, counts
stay exact on MariaDB under concurrency, and private notifications stay private."""

from __future__ import annotations

import asyncio
from pathlib import Path

from stack.services import Stack
from tests import media_factory as make
from tests.murmur_client import MurmurClient
from tests.topology.conftest import query_one, user_on

MEDIA = "murmur-media"


async def _user_id(client: MurmurClient) -> int:
    return int((await client.http.get("/api/v1/session")).json()["id"])


async def test_followed_authors_new_post_reaches_the_following_tab_live(through_nginx) -> None:
    author = await user_on(through_nginx, "web-1")
    reader = await user_on(through_nginx, "web-2")
    assert (await reader.follow(author.username)).json()["following"] is True
    socket = await reader.open_socket()
    assert socket.hello["replica"] == "web-2"

    post = await author.post("for my followers 🐦")
    created = await socket.next_message(
        lambda m: m["type"] == "post.created" and m["post_id"] == post["id"], timeout=30
    )

    # The browser puts it in the Following tab when its author is in the tab's live set.
    assert created["author_id"] == await _user_id(author)
    page = await reader.http.get("/")
    assert 'href="/?tab=following" aria-current="page"' in page.text
    assert f'data-live-authors="{created["author_id"]},' in page.text
    following = (await reader.http.get("/api/v1/posts", params={"feed": "following"})).json()
    assert following["posts"][0]["id"] == post["id"]
    await socket.close()


async def test_like_and_comment_raise_the_authors_unread_count_on_another_replica(
    through_nginx,
) -> None:
    author = await user_on(through_nginx, "web-1")
    fan = await user_on(through_nginx, "web-2")
    post_id = (await author.post("count my notifications"))["id"]
    socket = await author.open_socket()
    assert socket.hello["replica"] == "web-1"

    await fan.like(post_id)
    liked = await socket.next_message(lambda m: m["type"] == "notification", timeout=30)
    assert (liked["kind"], liked["unread"], liked["post_id"]) == ("liked", 1, post_id)

    await fan.comment(post_id, "from the other replica 👋")
    commented = await socket.next_message(
        lambda m: m["type"] == "notification" and m["kind"] == "commented", timeout=30
    )
    assert commented["unread"] == 2
    comment = await socket.next_message(lambda m: m["type"] == "comment.created", timeout=30)
    assert "from the other replica 👋" in comment["html"] and comment["comment_count"] == 1
    await socket.close()


async def test_fifty_concurrent_likes_end_with_exactly_fifty(
    through_nginx, topology: Stack
) -> None:
    author = await through_nginx()
    post_id = (await author.post("everyone like this at once"))["id"]
    socket = await author.open_socket()
    fans = [await through_nginx() for _ in range(50)]
    headers = [await fan.headers() for fan in fans]

    responses = await asyncio.gather(
        *(
            fan.http.put(f"/api/v1/posts/{post_id}/like", headers=h)
            for fan, h in zip(fans, headers, strict=True)
        )
    )
    # And a double click from each of the first ten, which must change nothing.
    repeats = await asyncio.gather(
        *(
            fan.http.put(f"/api/v1/posts/{post_id}/like", headers=h)
            for fan, h in zip(fans[:10], headers[:10], strict=True)
        )
    )

    assert [r.status_code for r in responses + repeats] == [200] * 60, [
        r.text for r in responses + repeats if r.status_code != 200
    ]
    assert (await author.get_post(post_id))["like_count"] == 50
    stored, rows = await query_one(
        topology,
        "SELECT like_count, (SELECT COUNT(*) FROM likes WHERE post_id = %s) FROM posts "
        "WHERE id = %s",
        post_id,
        post_id,
    )
    assert (stored, rows) == (50, 50)
    # Each live count is read when fanned out, so the last one says 50 whatever the order.
    await socket.next_message(
        lambda m: m["type"] == "post.liked" and m["like_count"] == 50, timeout=60
    )
    await socket.close()


async def test_private_notification_never_reaches_another_users_socket(through_nginx) -> None:
    author = await user_on(through_nginx, "web-1")
    fan = await user_on(through_nginx, "web-2")
    watchers = [await user_on(through_nginx, replica) for replica in ("web-1", "web-2")]
    post_id = (await author.post("only I hear about likes"))["id"]
    author_socket = await author.open_socket()
    sockets = [await watcher.open_socket() for watcher in watchers]

    await fan.like(post_id)
    await fan.follow(author.username)
    await author_socket.next_message(
        lambda m: m["type"] == "notification" and m["kind"] == "followed", timeout=30
    )
    # One event order for every socket: a public post published after the private ones
    # arrives after them, so by then a leaked notification would have been seen.
    marker = (await fan.post("public marker"))["id"]
    for socket in sockets:
        await socket.next_message(lambda m: m.get("post_id") == marker, timeout=30)
        assert not [m for m in socket.seen if m["type"] in ("notification", "follow.changed")]
        await socket.close()
    await author_socket.close()


async def test_edits_and_comment_deletions_reach_the_other_replica(through_nginx) -> None:
    author = await user_on(through_nginx, "web-1")
    watcher = await user_on(through_nginx, "web-2")
    post_id = (await author.post("draft"))["id"]
    socket = await watcher.open_socket()

    edited = await author.http.patch(
        f"/api/v1/posts/{post_id}", json={"text": "final"}, headers=await author.headers()
    )
    assert edited.status_code == 200
    live = await socket.next_message(
        lambda m: m["type"] == "post.edited" and m["post_id"] == post_id, timeout=30
    )
    assert "final" in live["html"] and 'class="post-edited"' in live["html"]

    comment_id = (await watcher.comment(post_id, "soon gone")).json()["comment"]["id"]
    await author.http.delete(f"/api/v1/comments/{comment_id}", headers=await author.headers())
    deleted = await socket.next_message(
        lambda m: m["type"] == "comment.deleted" and m["comment_id"] == comment_id, timeout=30
    )
    assert deleted["comment_count"] == 0
    await socket.close()


async def test_profile_and_following_tab_pages_have_no_gaps_or_repeats(through_nginx) -> None:
    author = await through_nginx()
    reader = await through_nginx()
    noise = await through_nginx()
    await reader.follow(author.username)
    older = {(await author.post(f"older {i}"))["id"] for i in range(9)}

    async def keep_posting() -> None:
        for index in range(6):
            await author.post(f"newer {index}")
            await noise.post(f"noise {index}")

    async def walk(path: str, params: dict[str, str]) -> list[int]:
        seen: list[int] = []
        cursor = None
        while True:
            page_params = {**params, "limit": "4"} | ({"before": str(cursor)} if cursor else {})
            page = (await reader.http.get(path, params=page_params)).json()
            seen.extend(p["id"] for p in page["posts"])
            cursor = page["next_cursor"]
            if cursor is None or cursor < min(older):
                return seen

    writer = asyncio.create_task(keep_posting())
    profile = await walk(f"/api/v1/users/{author.username}/posts", {})
    following = await walk("/api/v1/posts", {"feed": "following"})
    await writer

    for seen in (profile, following):
        assert len(seen) == len(set(seen)), "a post appeared twice"
        assert seen == sorted(seen, reverse=True)
        assert older <= set(seen), f"missing: {sorted(older - set(seen))}"
    by_author = await reader.http.get(
        f"/api/v1/users/{author.username}/posts", params={"limit": "100"}
    )
    assert set(following) <= {p["id"] for p in by_author.json()["posts"]}, "a stranger's post"


async def test_avatar_goes_through_the_encoders_and_reaches_the_other_replica(
    through_nginx, s3, tmp_path: Path
) -> None:
    author = await user_on(through_nginx, "web-1")
    watcher = await user_on(through_nginx, "web-2")
    socket = await watcher.open_socket()
    upload = (await author.upload(make.phone_photo(tmp_path, 900, 1200))).json()

    response = await author.http.put(
        "/api/v1/me/avatar", json={"upload_id": upload["id"]}, headers=await author.headers()
    )
    assert response.status_code == 202
    updated = await socket.next_message(
        lambda m: m["type"] == "user.updated" and m["avatar_url"], timeout=120
    )

    user_id = await _user_id(author)
    prefix = f"avatars/{user_id}/{upload['id']}/"
    assert await s3(MEDIA, prefix) == [f"{prefix}400.webp", f"{prefix}96.webp"]
    served = await watcher.http.get(updated["avatar_url"])  # through Nginx from the bucket
    assert served.status_code == 200 and served.content[8:12] == b"WEBP"
    await socket.close()
