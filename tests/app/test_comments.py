"""Comments on the embedded server: limits, escaping, who may delete, live for viewers."""

from __future__ import annotations

from tests.murmur_client import MurmurClient


async def test_comment_of_500_emoji_is_taken_and_501_characters_refused(make_client) -> None:
    author: MurmurClient = await make_client()
    post_id = (await author.post("comment limits"))["id"]

    ok = await author.comment(post_id, "🎉" * 500)  # code points, not UTF-16 units
    assert ok.status_code == 201, ok.text
    assert ok.json()["comment"]["text"] == "🎉" * 500

    too_long = await author.comment(post_id, "x" * 501)
    assert too_long.status_code == 400
    assert "at most 500 characters; this one has 501" in too_long.json()["detail"]
    empty = await author.comment(post_id, "   \n ")
    assert empty.status_code == 400
    assert "Write something" in empty.json()["detail"]
    assert (await author.get_post(post_id))["comment_count"] == 1


async def test_comment_html_is_escaped_everywhere(make_client) -> None:
    author: MurmurClient = await make_client()
    reader: MurmurClient = await make_client()
    post_id = (await author.post("escape test"))["id"]
    socket = await reader.open_socket()
    text = '<img src=x onerror="alert(1)"> & <script>alert(2)</script> 👋🏽'

    created = await reader.comment(post_id, text)
    live = await socket.next_message(
        lambda m: m["type"] == "comment.created" and m["post_id"] == post_id, timeout=10
    )
    page = await reader.http.get(f"/posts/{post_id}")
    fragment = await reader.http.get(f"/posts/{post_id}/comments")

    for html in (created.json()["html"], live["html"], page.text, fragment.text):
        assert "<script>alert(2)</script>" not in html
        assert "<img src=x" not in html
        assert "&lt;script&gt;alert(2)&lt;/script&gt;" in html
        assert "👋🏽" in html
    assert created.json()["comment"]["text"] == text
    await socket.close()


async def test_comment_author_and_post_author_may_delete_others_may_not(make_client) -> None:
    author: MurmurClient = await make_client()
    commenter: MurmurClient = await make_client()
    bystander: MurmurClient = await make_client()
    post_id = (await author.post("delete rights"))["id"]
    first = (await commenter.comment(post_id, "first")).json()["comment"]["id"]
    second = (await commenter.comment(post_id, "second")).json()["comment"]["id"]

    refused = await bystander.http.delete(
        f"/api/v1/comments/{first}", headers=await bystander.headers()
    )
    assert refused.status_code == 403
    assert "your own comments" in refused.json()["detail"]

    by_commenter = await commenter.http.delete(
        f"/api/v1/comments/{first}", headers=await commenter.headers()
    )
    by_post_author = await author.http.delete(
        f"/api/v1/comments/{second}", headers=await author.headers()
    )
    assert by_commenter.status_code == by_post_author.status_code == 204
    assert (await author.get_post(post_id))["comment_count"] == 0
    listed = await author.http.get(f"/api/v1/posts/{post_id}/comments")
    assert listed.json()["comments"] == []

    twice = await author.http.delete(f"/api/v1/comments/{second}", headers=await author.headers())
    assert twice.status_code == 404


async def test_comments_appear_and_disappear_live_with_their_count(make_client) -> None:
    author: MurmurClient = await make_client()
    commenter: MurmurClient = await make_client()
    watcher: MurmurClient = await make_client()
    post_id = (await author.post("live comments"))["id"]
    socket = await watcher.open_socket()

    comment_id = (await commenter.comment(post_id, "hello live")).json()["comment"]["id"]
    created = await socket.next_message(
        lambda m: m["type"] == "comment.created" and m["comment_id"] == comment_id, timeout=10
    )
    assert created["comment_count"] == 1
    assert f'id="comment-{comment_id}"' in created["html"] and "hello live" in created["html"]

    await commenter.http.delete(f"/api/v1/comments/{comment_id}", headers=await commenter.headers())
    deleted = await socket.next_message(
        lambda m: m["type"] == "comment.deleted" and m["comment_id"] == comment_id, timeout=10
    )
    assert deleted["comment_count"] == 0 and deleted["post_id"] == post_id
    await socket.close()


async def test_comment_pages_are_oldest_first_without_gaps(make_client) -> None:
    author: MurmurClient = await make_client()
    post_id = (await author.post("many comments"))["id"]
    ids = [(await author.comment(post_id, f"c{i}")).json()["comment"]["id"] for i in range(7)]

    seen: list[int] = []
    after = None
    while True:
        params = {"limit": 3} | ({"after": after} if after else {})
        page = (await author.http.get(f"/api/v1/posts/{post_id}/comments", params=params)).json()
        seen.extend(c["id"] for c in page["comments"])
        after = page["next_cursor"]
        if after is None:
            break
    assert seen == ids


async def test_comment_on_missing_post_is_not_found(make_client) -> None:
    client: MurmurClient = await make_client()
    response = await client.comment(987_654_321, "anyone there?")
    assert response.status_code == 404
