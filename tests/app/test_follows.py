"""Following people, and the feed's Following and Everyone tabs, on the embedded server."""

from __future__ import annotations

import re

from tests.murmur_client import MurmurClient


async def _ids(client: MurmurClient, feed: str, **params: object) -> list[int]:
    response = await client.http.get("/api/v1/posts", params={"feed": feed, **params})
    assert response.status_code == 200, response.text
    return [post["id"] for post in response.json()["posts"]]


async def test_follow_twice_keeps_one_follow_and_unfollow_removes_it(make_client) -> None:
    author: MurmurClient = await make_client()
    reader: MurmurClient = await make_client()

    first = await reader.follow(author.username)
    again = await reader.follow(author.username)
    assert first.status_code == again.status_code == 200
    assert again.json() == {"user_id": first.json()["user_id"], "following": True, "followers": 1}

    gone = await reader.follow(author.username, on=False)
    assert gone.json()["following"] is False and gone.json()["followers"] == 0
    assert (await reader.follow(author.username, on=False)).json()["followers"] == 0


async def test_follow_yourself_or_nobody_is_refused(make_client) -> None:
    client: MurmurClient = await make_client()
    self_follow = await client.follow(client.username)
    assert self_follow.status_code == 400
    assert "yourself" in self_follow.json()["detail"]
    nobody = await client.follow("no_such_user_here")
    assert nobody.status_code == 404
    assert "@no_such_user_here" in nobody.json()["detail"]


async def test_following_tab_shows_followed_authors_and_own_posts_only(make_client) -> None:
    followed: MurmurClient = await make_client()
    stranger: MurmurClient = await make_client()
    reader: MurmurClient = await make_client()
    await reader.follow(followed.username)

    theirs = (await followed.post("from someone I follow"))["id"]
    other = (await stranger.post("from a stranger"))["id"]
    mine = (await reader.post("my own"))["id"]

    following = await _ids(reader, "following")
    assert theirs in following and mine in following
    assert other not in following
    assert {theirs, other, mine} <= set(await _ids(reader, "everyone"))

    await reader.follow(followed.username, on=False)
    assert theirs not in await _ids(reader, "following")


async def test_new_user_lands_on_everyone_with_a_hint(make_client) -> None:
    author: MurmurClient = await make_client()
    newcomer: MurmurClient = await make_client()
    await author.post("visible to a newcomer")

    page = await newcomer.http.get("/")
    assert page.status_code == 200
    assert re.search(r'href="/\?tab=everyone" aria-current="page"', page.text)
    assert "Follow people from their profile" in page.text
    assert "visible to a newcomer" in page.text

    await newcomer.follow(author.username)
    page = await newcomer.http.get("/")
    assert re.search(r'href="/\?tab=following" aria-current="page"', page.text)
    assert "Follow people from their profile" not in page.text
    ids = re.search(r'data-live-authors="([\d,]+)"', page.text)
    assert ids is not None, "the Following tab tells live.js whose posts belong in it"


async def test_following_tab_pages_have_no_gaps_or_repeats(make_client) -> None:
    followed: MurmurClient = await make_client()
    noise: MurmurClient = await make_client()
    reader: MurmurClient = await make_client()
    await reader.follow(followed.username)
    expected = []
    for index in range(7):
        expected.append((await followed.post(f"followed {index}"))["id"])
        await noise.post(f"noise {index}")

    seen: list[int] = []
    cursor = None
    while True:
        params = {"limit": 3} | ({"before": cursor} if cursor else {})
        response = await reader.http.get("/api/v1/posts", params={"feed": "following", **params})
        page = response.json()
        seen.extend(p["id"] for p in page["posts"])
        cursor = page["next_cursor"]
        if cursor is None:
            break

    assert seen == sorted(expected, reverse=True)


async def test_following_tab_load_more_fragment_keeps_the_tab(make_client) -> None:
    followed: MurmurClient = await make_client()
    noise: MurmurClient = await make_client()
    reader: MurmurClient = await make_client()
    await reader.follow(followed.username)
    mine = [(await followed.post(f"tab page {i}"))["id"] for i in range(3)]
    other = (await noise.post("not in the tab"))["id"]

    fragment = await reader.http.get("/feed/page", params={"tab": "following", "before": mine[-1]})
    assert fragment.status_code == 200
    assert f'id="post-{mine[0]}"' in fragment.text
    assert f'id="post-{other}"' not in fragment.text
    bad = await reader.http.get("/feed/page", params={"tab": "friends"})
    assert bad.status_code == 400


async def test_follow_tells_the_followers_own_sockets(make_client) -> None:
    author: MurmurClient = await make_client()
    reader: MurmurClient = await make_client()
    socket = await reader.open_socket()

    user_id = (await reader.follow(author.username)).json()["user_id"]
    changed = await socket.next_message(lambda m: m["type"] == "follow.changed", timeout=10)
    assert changed["user_id"] == user_id and changed["following"] is True

    await reader.follow(author.username, on=False)
    await socket.next_message(
        lambda m: m["type"] == "follow.changed" and m["following"] is False, timeout=10
    )
    await socket.close()
