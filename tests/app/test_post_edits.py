"""Editing a post's text on the embedded server: only one's own, shown live as edited."""

from __future__ import annotations

from tests.murmur_client import MurmurClient


async def _edit(client: MurmurClient, post_id: int, text: str):  # type: ignore[no-untyped-def]
    return await client.http.patch(
        f"/api/v1/posts/{post_id}", json={"text": text}, headers=await client.headers()
    )


async def test_author_edit_shows_live_with_an_edited_mark(make_client) -> None:
    author: MurmurClient = await make_client()
    watcher: MurmurClient = await make_client()
    post = await author.post("first draft")
    assert post["edited"] is False
    socket = await watcher.open_socket()

    response = await _edit(author, post["id"], "second draft <b>bold?</b>")
    assert response.status_code == 200, response.text
    assert response.json()["post"]["edited"] is True

    live = await socket.next_message(
        lambda m: m["type"] == "post.edited" and m["post_id"] == post["id"], timeout=10
    )
    assert "second draft &lt;b&gt;bold?&lt;/b&gt;" in live["html"]
    assert '<span class="post-edited">edited</span>' in live["html"]
    page = await watcher.http.get(f"/posts/{post['id']}")
    assert "second draft" in page.text and "first draft" not in page.text
    assert (await watcher.get_post(post["id"]))["text"] == "second draft <b>bold?</b>"
    await socket.close()


async def test_editing_someone_elses_post_is_forbidden(make_client) -> None:
    author: MurmurClient = await make_client()
    other: MurmurClient = await make_client()
    post = await author.post("mine alone")

    response = await _edit(other, post["id"], "hijacked")
    assert response.status_code == 403
    assert "your own posts" in response.json()["detail"]
    assert (await other.get_post(post["id"]))["text"] == "mine alone"


async def test_edit_to_empty_or_overlong_text_is_refused(make_client) -> None:
    author: MurmurClient = await make_client()
    post = await author.post("text only")

    empty = await _edit(author, post["id"], "   ")
    assert empty.status_code == 400
    assert "needs some text" in empty.json()["detail"]
    long = await _edit(author, post["id"], "x" * 1001)
    assert long.status_code == 400
    assert (await author.get_post(post["id"]))["edited"] is False


async def test_edit_without_csrf_token_is_refused(make_client) -> None:
    author: MurmurClient = await make_client()
    post = await author.post("guarded")
    response = await author.http.patch(f"/api/v1/posts/{post['id']}", json={"text": "x"})
    assert response.status_code == 403
