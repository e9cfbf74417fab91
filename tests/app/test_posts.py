"""Text posts, the feed's pagination, deletion, and refused uploads on the embedded server."""

from __future__ import annotations

import asyncio
from pathlib import Path

from tests.murmur_client import MurmurClient


async def test_text_post_with_emoji_is_ready_at_once_and_escaped(make_client) -> None:
    client: MurmurClient = await make_client()
    text = "Hello 👋🏽 world <script>alert(1)</script> see https://example.org/a?b=1&c=2."
    post = await client.post(text)

    assert post["status"] == "ready"
    assert post["text"] == text
    page = await client.http.get(f"/posts/{post['id']}")
    assert "👋🏽" in page.text
    assert "<script>alert(1)</script>" not in page.text
    assert "&lt;script&gt;" in page.text
    assert (
        '<a href="https://example.org/a?b=1&amp;c=2" rel="nofollow noopener noreferrer ugc"'
        in page.text
    )


async def test_text_over_1000_characters_is_refused(make_client) -> None:
    client: MurmurClient = await make_client()
    ok = await client.post("🙂" * 1000)  # code points, not UTF-16 units
    assert ok["status"] == "ready"
    response = await client.http.post(
        "/api/v1/posts", json={"text": "x" * 1001}, headers=await client.headers()
    )
    assert response.status_code == 400
    assert "at most 1000 characters" in response.json()["detail"]


async def test_empty_post_is_refused(make_client) -> None:
    client: MurmurClient = await make_client()
    response = await client.http.post(
        "/api/v1/posts", json={"text": "   "}, headers=await client.headers()
    )
    assert response.status_code == 400
    assert "Write something" in response.json()["detail"]


async def test_pagination_has_no_gaps_or_repeats_while_posts_arrive(make_client) -> None:
    author: MurmurClient = await make_client()
    reader: MurmurClient = await make_client()
    before = {(await author.post(f"older {i}"))["id"] for i in range(25)}

    async def keep_posting() -> set[int]:
        return {(await author.post(f"newer {i}"))["id"] for i in range(10)}

    newer_task = asyncio.create_task(keep_posting())
    seen: list[int] = []
    cursor: int | None = None
    while True:
        params = {"limit": 4} | ({"before": cursor} if cursor else {})
        page = (await reader.http.get("/api/v1/posts", params=params)).json()
        seen.extend(p["id"] for p in page["posts"])
        cursor = page["next_cursor"]
        if cursor is None or min(before) > cursor:
            break
    newer = await newer_task

    assert len(seen) == len(set(seen)), "a post appeared twice"
    assert seen == sorted(seen, reverse=True), "pages are not newest first"
    assert before <= set(seen), f"missing posts: {sorted(before - set(seen))}"
    assert not (set(seen) & newer - set(range(seen[0] + 1))), "a page jumped ahead of its cursor"


async def test_feed_page_fragment_and_index_cursor(make_client) -> None:
    client: MurmurClient = await make_client()
    ids = [(await client.post(f"fragment {i}"))["id"] for i in range(3)]
    fragment = await client.http.get("/feed/page", params={"before": ids[-1]})
    assert fragment.status_code == 200
    assert f'id="post-{ids[1]}"' in fragment.text and f'id="post-{ids[2]}"' not in fragment.text
    index = await client.http.get("/", params={"before": ids[-1]})
    assert f'id="post-{ids[0]}"' in index.text and f'id="post-{ids[2]}"' not in index.text


async def test_only_the_author_can_delete_a_post(make_client) -> None:
    author: MurmurClient = await make_client()
    other: MurmurClient = await make_client()
    post = await author.post("mine")

    response = await other.http.delete(f"/api/v1/posts/{post['id']}", headers=await other.headers())
    assert response.status_code == 403
    assert (await other.http.get(f"/api/v1/posts/{post['id']}")).status_code == 200

    response = await author.http.delete(
        f"/api/v1/posts/{post['id']}", headers=await author.headers()
    )
    assert response.status_code == 204
    assert (await other.http.get(f"/api/v1/posts/{post['id']}")).status_code == 404


async def test_text_file_named_jpg_is_refused_with_a_clear_error(
    make_client, embedded_server, tmp_path: Path
) -> None:
    client: MurmurClient = await make_client()
    fake = tmp_path / "photo.jpg"
    fake.write_text("Dear diary, this is not a photo at all.\n" * 200)
    buffered = _buffer_files(embedded_server.data_dir)

    response = await client.upload(fake)
    assert response.status_code == 415
    assert "plain text" in response.json()["detail"]
    assert _buffer_files(embedded_server.data_dir) == buffered


async def test_oversize_upload_gets_413_and_leaves_nothing(
    make_client, embedded_server, tmp_path: Path
) -> None:
    client: MurmurClient = await make_client()
    # A real JPEG header followed by padding: identified as an image, then over the 5 MB test limit.
    big = tmp_path / "huge.jpg"
    with big.open("wb") as handle:
        handle.write(bytes.fromhex("ffd8ffe000104a46494600010100000100010000"))
        handle.write(b"\0" * (6 * 1024 * 1024))
    buffered = _buffer_files(embedded_server.data_dir)

    response = await client.upload(big)
    assert response.status_code == 413
    assert "at most 5 MB" in response.json()["detail"]

    # Without a Content-Length the limit is enforced while streaming.
    async def chunks():
        with big.open("rb") as handle:
            while chunk := handle.read(64 * 1024):
                yield chunk

    response = await client.http.post(
        "/api/v1/uploads",
        content=chunks(),
        headers={**await client.headers(), "Content-Type": "application/octet-stream"},
    )
    assert response.status_code == 413
    assert _buffer_files(embedded_server.data_dir) == buffered
    assert list((embedded_server.data_dir / "work" / "spool").glob("*")) == []


def _buffer_files(data_dir: Path) -> set[Path]:
    root = data_dir / "objects" / "murmur-buffer"
    return {p for p in root.rglob("*") if p.is_file()} if root.exists() else set()


async def test_absurd_inputs_get_400_not_500(make_client) -> None:
    client: MurmurClient = await make_client()
    deep = "[" * 100_000
    response = await client.http.post(
        "/api/v1/posts",
        content=deep,
        headers={**await client.headers(), "Content-Type": "application/json"},
    )
    assert response.status_code == 400
    huge = "9" * 25
    assert (await client.http.get(f"/api/v1/posts/{huge}")).status_code in (400, 404)
    assert (await client.http.get("/api/v1/posts", params={"before": huge})).status_code == 400
