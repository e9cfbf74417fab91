"""Likes on the embedded server: idempotent, exact under concurrency, live for everyone."""

from __future__ import annotations

import asyncio

from tests.murmur_client import MurmurClient


async def test_like_twice_counts_once_and_unlike_takes_it_back(make_client) -> None:
    author: MurmurClient = await make_client()
    fan: MurmurClient = await make_client()
    post_id = (await author.post("like me"))["id"]

    first = await fan.like(post_id)
    again = await fan.like(post_id)
    assert first.json() == again.json() == {"post_id": post_id, "liked": True, "like_count": 1}
    assert (await fan.get_post(post_id))["like_count"] == 1

    undone = await fan.like(post_id, on=False)
    assert undone.json() == {"post_id": post_id, "liked": False, "like_count": 0}
    assert (await fan.like(post_id, on=False)).json()["like_count"] == 0


async def test_double_click_sent_at_once_counts_once(make_client) -> None:
    author: MurmurClient = await make_client()
    fan: MurmurClient = await make_client()
    post_id = (await author.post("clicked twice"))["id"]
    headers = await fan.headers()

    responses = await asyncio.gather(
        *(fan.http.put(f"/api/v1/posts/{post_id}/like", headers=headers) for _ in range(5))
    )

    assert [r.status_code for r in responses] == [200] * 5
    assert (await fan.get_post(post_id))["like_count"] == 1


async def test_concurrent_likes_by_many_users_count_exactly(make_client) -> None:
    author: MurmurClient = await make_client()
    post_id = (await author.post("popular"))["id"]
    fans = [await make_client() for _ in range(20)]
    headers = [await fan.headers() for fan in fans]

    responses = await asyncio.gather(
        *(
            fan.http.put(f"/api/v1/posts/{post_id}/like", headers=h)
            for fan, h in zip(fans, headers, strict=True)
        )
    )

    assert [r.status_code for r in responses] == [200] * 20
    assert (await author.get_post(post_id))["like_count"] == 20


async def test_like_count_reaches_every_viewer_live(make_client) -> None:
    author: MurmurClient = await make_client()
    fan: MurmurClient = await make_client()
    watcher: MurmurClient = await make_client()
    post_id = (await author.post("watch the count"))["id"]
    socket = await watcher.open_socket()

    await fan.like(post_id)
    liked = await socket.next_message(
        lambda m: m["type"] == "post.liked" and m["post_id"] == post_id, timeout=10
    )
    assert liked["like_count"] == 1 and "liked" not in liked  # who liked stays private

    await fan.like(post_id, on=False)
    await socket.next_message(
        lambda m: m["type"] == "post.liked" and m["post_id"] == post_id and m["like_count"] == 0,
        timeout=10,
    )
    await socket.close()


async def test_liking_a_missing_post_is_not_found(make_client) -> None:
    fan: MurmurClient = await make_client()
    response = await fan.like(987_654_321)
    assert response.status_code == 404
    assert "no post 987654321" in response.json()["detail"]


async def test_my_likes_lists_which_posts_i_liked(make_client) -> None:
    author: MurmurClient = await make_client()
    fan: MurmurClient = await make_client()
    liked, not_liked = [(await author.post(f"pick {i}"))["id"] for i in range(2)]
    await fan.like(liked)

    response = await fan.http.get("/api/v1/me/likes", params={"post_ids": f"{liked},{not_liked}"})
    assert response.json() == {"liked": [liked]}
    page = await fan.http.get(f"/posts/{liked}")
    assert f'<script type="application/json" id="viewer-likes">[{liked}]</script>' in page.text
