"""Faults a user review of the social layer found, each pinned by a test."""

from __future__ import annotations

from tests.murmur_client import MurmurClient


async def test_profile_of_an_impossibly_long_username_is_404_not_500(make_client) -> None:
    client: MurmurClient = await make_client()
    long_name = "q" * 31
    for path in [
        f"/@{long_name}",
        f"/api/v1/users/{long_name}",
        f"/api/v1/users/{long_name}/posts",
    ]:
        response = await client.http.get(path)
        assert response.status_code == 404, path
    response = await client.http.put(
        f"/api/v1/users/{long_name}/follow", headers=await client.headers()
    )
    assert response.status_code == 404


async def test_display_names_and_bios_refuse_direction_overrides_and_invisible_spaces(
    make_client,
) -> None:
    client: MurmurClient = await make_client()
    headers = await client.headers()
    for field, value in [
        ("display_name", "\u202eecila"),
        ("display_name", "al\u200bice"),
        ("bio", "hi\u2066there"),
        ("bio", "bell\u0007"),
    ]:
        response = await client.http.patch("/api/v1/me", json={field: value}, headers=headers)
        assert response.status_code == 400, (field, value)
    response = await client.http.patch(
        "/api/v1/me",
        json={"display_name": "Family 👨‍👩‍👧", "bio": "line one\nline two"},
        headers=headers,
    )
    assert response.status_code == 200  # emoji joined by ZWJ and newlines in bios stay fine


async def test_saving_an_unchanged_post_does_not_mark_it_edited(make_client) -> None:
    client: MurmurClient = await make_client()
    post = await client.post("same words")
    response = await client.http.patch(
        f"/api/v1/posts/{post['id']}", json={"text": "same words"}, headers=await client.headers()
    )
    assert response.status_code == 200
    assert not (await client.get_post(post["id"]))["edited"]


async def test_deleting_a_post_removes_the_notifications_about_it(make_client) -> None:
    author: MurmurClient = await make_client()
    fan: MurmurClient = await make_client()
    post_id = (await author.post("soon gone"))["id"]
    await fan.like(post_id)
    await fan.comment(post_id, "nice")
    assert [
        n
        for n in (await author.http.get("/api/v1/notifications")).json()["notifications"]
        if n["post_id"] == post_id
    ]

    await author.http.delete(f"/api/v1/posts/{post_id}", headers=await author.headers())
    listed = (await author.http.get("/api/v1/notifications")).json()["notifications"]
    assert not [n for n in listed if n["post_id"] == post_id]


async def test_a_like_tells_others_the_count_but_not_who_liked(make_client) -> None:
    author: MurmurClient = await make_client()
    fan: MurmurClient = await make_client()
    watcher: MurmurClient = await make_client()
    post_id = (await author.post("who liked me?"))["id"]
    fan_socket, watcher_socket = await fan.open_socket(), await watcher.open_socket()

    await fan.like(post_id)
    seen = await watcher_socket.next_message(
        lambda m: m["type"] == "post.liked" and m["post_id"] == post_id
    )
    mine = await fan_socket.next_message(
        lambda m: m["type"] == "post.liked" and m["post_id"] == post_id
    )
    assert seen["like_count"] == 1 and "user_id" not in seen and "liked" not in seen
    assert mine["liked"] is True and mine["like_count"] == 1
    await fan_socket.close()
    await watcher_socket.close()


async def test_error_pages_keep_the_logged_in_header_and_speak_plainly(make_client) -> None:
    client: MurmurClient = await make_client()
    missing = await client.http.get("/@nobody_here_at_all")
    assert missing.status_code == 404 and f"@{client.username}" in missing.text

    response = await client.http.get("/api/v1/posts", params={"before": "abc"})
    assert response.status_code == 400
    assert response.json()["detail"] == "The request was not valid: before should be a whole number"
