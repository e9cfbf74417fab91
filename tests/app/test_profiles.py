"""Profiles on the embedded server: the page, editing, avatars through the encoder, the API."""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image

from tests import media_factory as make
from tests.murmur_client import MurmurClient


async def test_profile_page_shows_counts_and_only_that_users_posts(make_client) -> None:
    author: MurmurClient = await make_client()
    fan: MurmurClient = await make_client()
    other: MurmurClient = await make_client()
    mine = [(await author.post(f"profile post {i}"))["id"] for i in range(2)]
    theirs = (await other.post("not on this profile"))["id"]
    await fan.follow(author.username)
    await author.follow(other.username)

    page = await fan.http.get(f"/@{author.username}")
    assert page.status_code == 200
    assert all(f'id="post-{i}"' in page.text for i in mine)
    assert f'id="post-{theirs}"' not in page.text
    assert '<strong data-count="posts">2</strong>' in page.text
    assert '<strong data-count="followers">1</strong>' in page.text
    assert '<strong data-count="following">1</strong>' in page.text
    assert 'aria-pressed="true">Following</button>' in page.text

    profile = (await fan.http.get(f"/api/v1/users/{author.username}")).json()
    assert profile["profile"]["posts"] == 2 and profile["followed_by_me"] is True
    assert (await fan.http.get("/@nobody_at_all")).status_code == 404


async def test_profile_posts_paginate_without_gaps_or_repeats(make_client) -> None:
    author: MurmurClient = await make_client()
    noise: MurmurClient = await make_client()
    expected = []
    for index in range(7):
        expected.append((await author.post(f"paged {index}"))["id"])
        await noise.post(f"noise {index}")

    seen: list[int] = []
    cursor = None
    while True:
        params = {"limit": 3} | ({"before": cursor} if cursor else {})
        page = (
            await noise.http.get(f"/api/v1/users/{author.username}/posts", params=params)
        ).json()
        seen.extend(p["id"] for p in page["posts"])
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == sorted(expected, reverse=True)

    fragment = await noise.http.get(f"/@{author.username}/page", params={"before": expected[3]})
    assert [f'id="post-{i}"' in fragment.text for i in expected] == [True] * 3 + [False] * 4


async def test_profile_edit_is_escaped_and_reaches_viewers_live(make_client) -> None:
    author: MurmurClient = await make_client()
    watcher: MurmurClient = await make_client()
    await author.post("so my name shows")
    socket = await watcher.open_socket()

    response = await author.http.patch(
        "/api/v1/me",
        json={"display_name": "  Zoë <i>🎉</i>  ", "bio": "line one\nline <two>"},
        headers=await author.headers(),
    )
    assert response.status_code == 200, response.text
    assert response.json()["profile"]["display_name"] == "Zoë <i>🎉</i>"

    live = await socket.next_message(lambda m: m["type"] == "user.updated", timeout=10)
    assert live["display_name"] == "Zoë <i>🎉</i>" and live["bio"] == "line one\nline <two>"
    page = await watcher.http.get(f"/@{author.username}")
    assert "Zoë &lt;i&gt;🎉&lt;/i&gt;" in page.text and "line &lt;two&gt;" in page.text
    feed = await watcher.http.get("/?tab=everyone")
    assert "Zoë &lt;i&gt;🎉&lt;/i&gt;" in feed.text
    await socket.close()


async def test_profile_edit_over_limits_is_refused(make_client) -> None:
    client: MurmurClient = await make_client()
    headers = await client.headers()
    name = await client.http.patch("/api/v1/me", json={"display_name": "n" * 61}, headers=headers)
    assert name.status_code == 400
    assert "at most 60 characters; this one has 61" in name.json()["detail"]
    bio = await client.http.patch("/api/v1/me", json={"bio": "b" * 301}, headers=headers)
    assert bio.status_code == 400


async def test_avatar_becomes_two_square_webps_without_metadata(
    make_client, tmp_path: Path
) -> None:
    author: MurmurClient = await make_client()
    watcher: MurmurClient = await make_client()
    post_id = (await author.post("watch my face"))["id"]
    socket = await watcher.open_socket()
    upload = (await author.upload(make.phone_photo(tmp_path, 1200, 800))).json()

    response = await author.http.put(
        "/api/v1/me/avatar", json={"upload_id": upload["id"]}, headers=await author.headers()
    )
    assert response.status_code == 202, response.text
    updated = await socket.next_message(
        lambda m: m["type"] == "user.updated" and m["avatar_url"], timeout=60
    )

    for url, side in ((updated["avatar_url"], 96), (updated["avatar_large_url"], 400)):
        served = await watcher.http.get(url)
        assert served.status_code == 200
        picture = Image.open(io.BytesIO(served.content))
        assert (picture.format, picture.size) == ("WEBP", (side, side))
        assert "exif" not in picture.info and "xmp" not in picture.info
    post = await watcher.http.get(f"/posts/{post_id}")
    assert f'src="{updated["avatar_url"]}"' in post.text
    # The upload was only a vehicle for the picture: it cannot be attached to a post now.
    reuse = await author.http.post(
        "/api/v1/posts",
        json={"text": "", "attachments": [{"upload_id": upload["id"]}]},
        headers=await author.headers(),
    )
    assert reuse.status_code == 400
    await socket.close()


async def test_avatar_from_a_video_or_someone_elses_upload_is_refused(
    make_client, tmp_path: Path
) -> None:
    author: MurmurClient = await make_client()
    other: MurmurClient = await make_client()
    video = (await author.upload(make.silent_video(tmp_path))).json()
    photo = (await other.upload(make.small_photo(tmp_path))).json()
    headers = await author.headers()

    as_video = await author.http.put(
        "/api/v1/me/avatar", json={"upload_id": video["id"]}, headers=headers
    )
    assert as_video.status_code == 400
    assert "still photo" in as_video.json()["detail"]
    stolen = await author.http.put(
        "/api/v1/me/avatar", json={"upload_id": photo["id"]}, headers=headers
    )
    assert stolen.status_code == 400
    assert f"Upload {photo['id']} was not found" in stolen.json()["detail"]


async def test_social_api_is_in_the_openapi_schema(make_client) -> None:
    client: MurmurClient = await make_client(sign_up=False)
    schema = (await client.http.get("/api/schema/openapi.json")).json()
    paths = schema["paths"]

    expected = {
        "/api/v1/users/{username}": {"get"},
        "/api/v1/users/{username}/posts": {"get"},
        "/api/v1/users/{username}/follow": {"put", "delete"},
        "/api/v1/me": {"patch"},
        "/api/v1/me/avatar": {"put", "delete"},
        "/api/v1/me/likes": {"get"},
        "/api/v1/posts/{post_id}": {"get", "patch", "delete"},
        "/api/v1/posts/{post_id}/like": {"put", "delete"},
        "/api/v1/posts/{post_id}/comments": {"get", "post"},
        "/api/v1/comments/{comment_id}": {"delete"},
        "/api/v1/notifications": {"get"},
        "/api/v1/notifications/read": {"post"},
    }
    for path, methods in expected.items():
        assert path in paths, f"{path} missing from the schema"
        assert methods <= set(paths[path]), f"{path}: {sorted(paths[path])}"
    feed_params = {p["name"] for p in paths["/api/v1/posts"]["get"]["parameters"]}
    assert "feed" in feed_params


async def test_profiles_need_a_login_and_other_top_level_paths_stay_not_found(
    make_client,
) -> None:
    author: MurmurClient = await make_client()
    anonymous: MurmurClient = await make_client(sign_up=False)

    profile = await anonymous.http.get(f"/@{author.username}")
    assert profile.status_code in (302, 303) and profile.headers["location"] == "/login"
    for path in ("/favicon.ico", "/nothing-here", "/@"):
        assert (await anonymous.http.get(path)).status_code == 404, path
