"""Photos and videos from upload to finished media, with real ffmpeg, on the embedded server."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image

from tests import media_factory as make
from tests.murmur_client import MurmurClient
from tests.servers import EmbeddedServer


def _media_file(server: EmbeddedServer, url: str) -> Path:
    return server.data_dir / "objects" / "murmur-media" / url.removeprefix("/media/")


async def _fetch(client: MurmurClient, url: str, into: Path) -> Path:
    response = await client.http.get(url)
    assert response.status_code == 200, url
    into.write_bytes(response.content)
    return into


async def test_phone_photo_is_upright_with_no_metadata_left(make_client, tmp_path: Path) -> None:
    client: MurmurClient = await make_client()
    created = await client.post(
        "photo 📷", [make.phone_photo(tmp_path)], alts=["A red and blue test card"]
    )
    assert created["status"] == "processing"
    placeholder = created["attachments"][0]
    assert (placeholder["width"], placeholder["height"]) == (1800, 2400)  # displayed size, turned

    post = await client.wait_for_post(created["id"])
    media = post["attachments"][0]
    assert media["alt"] == "A red and blue test card"
    raw = (await client.http.get(media["url"])).content
    image = Image.open(io.BytesIO(raw))

    assert image.size == (1440, 1920)  # fits inside 1920 px, aspect kept
    assert (media["width"], media["height"]) == image.size
    assert not image.getexif(), "EXIF survived"
    assert make.CAMERA_MODEL.encode() not in raw and make.XMP_MARK.encode() not in raw
    corners = make.corner_colours(image)
    assert make.is_close(corners["top_left"], make.RED) and make.is_close(
        corners["bottom_right"], make.BLUE
    )

    thumb = Image.open(io.BytesIO((await client.http.get(media["thumb_url"])).content))
    assert max(thumb.size) == 480


async def test_landscape_1080p_clip_becomes_720p_h264_aac_with_poster(
    make_client, tmp_path: Path
) -> None:
    client: MurmurClient = await make_client()
    created = await client.post("", [make.landscape_video(tmp_path, seconds=10)])
    post = await client.wait_for_post(created["id"])
    media = post["attachments"][0]

    video = await _fetch(client, media["url"], tmp_path / "out.mp4")
    info = make.ffprobe(video)
    streams = {s["codec_type"]: s for s in info["streams"]}
    assert streams["video"]["codec_name"] == "h264" and streams["video"]["pix_fmt"] == "yuv420p"
    assert (streams["video"]["width"], streams["video"]["height"]) == (1280, 720)
    assert streams["audio"]["codec_name"] == "aac"
    assert abs(float(info["format"]["duration"]) - 10) < 0.3
    assert make.mp4_top_level_boxes(video).index("moov") < make.mp4_top_level_boxes(video).index(
        "mdat"
    )
    assert media["mime_type"] == "video/mp4" and abs(media["duration_s"] - 10) < 0.3

    poster = Image.open(io.BytesIO((await client.http.get(media["thumb_url"])).content))
    assert poster.format == "JPEG"

    ranged = await client.http.get(media["url"], headers={"Range": "bytes=0-99"})
    assert ranged.status_code == 206 and len(ranged.content) == 100  # browsers seek with ranges


async def test_portrait_phone_clip_plays_the_right_way_up(make_client, tmp_path: Path) -> None:
    client: MurmurClient = await make_client()
    created = await client.post("portrait", [make.portrait_phone_video(tmp_path)])
    assert (created["attachments"][0]["width"], created["attachments"][0]["height"]) == (1080, 1920)
    post = await client.wait_for_post(created["id"])

    video = await _fetch(client, post["attachments"][0]["url"], tmp_path / "out.mp4")
    stream = next(s for s in make.ffprobe(video)["streams"] if s["codec_type"] == "video")
    assert (stream["width"], stream["height"]) == (720, 1280)
    assert not [d for d in stream.get("side_data_list", []) if "rotation" in d]
    corners = make.corner_colours(make.video_frame(video, 0.5))
    assert make.is_close(corners["top_left"], make.RED) and make.is_close(
        corners["bottom_right"], make.BLUE
    )


async def test_websocket_sees_post_appear_and_turn_ready(make_client, tmp_path: Path) -> None:
    author: MurmurClient = await make_client()
    watcher: MurmurClient = await make_client()
    author_socket = await author.open_socket()
    watcher_socket = await watcher.open_socket()

    created = await author.post("live!", [make.small_photo(tmp_path)])
    post_id = created["id"]
    appeared = await watcher_socket.next_message(
        lambda m: m["type"] == "post.created" and m["post_id"] == post_id
    )
    assert 'data-status="processing"' in appeared["html"]
    ready = await watcher_socket.next_message(
        lambda m: m["type"] == "post.ready" and m["post_id"] == post_id
    )
    assert 'data-status="ready"' in ready["html"] and "/media/posts/" in ready["html"]
    assert ready["id"] > appeared["id"]

    note = await author_socket.next_message(
        lambda m: m["type"] == "notification" and m["post_id"] == post_id
    )
    assert note["text"] == "Your post is ready."
    assert not [
        m for m in watcher_socket.seen if m["type"] == "notification" and m["post_id"] == post_id
    ]
    await author_socket.close()
    await watcher_socket.close()


async def test_corrupt_video_fails_with_a_reason_and_the_next_job_succeeds(
    make_client, embedded_server: EmbeddedServer, tmp_path: Path
) -> None:
    author: MurmurClient = await make_client()
    other: MurmurClient = await make_client()
    socket = await author.open_socket()
    other_socket = await other.open_socket()
    broken = await author.post("broken", [make.corrupt_video(tmp_path)])
    good = await author.post("good", [make.silent_video(tmp_path)])

    failed = await author.wait_for_post(broken["id"], status="failed")
    assert failed["failure_reason"]
    message = await socket.next_message(
        lambda m: m["type"] == "post.failed" and m["post_id"] == broken["id"]
    )
    assert message["reason"] == failed["failure_reason"]
    gone = await other_socket.next_message(
        lambda m: m.get("post_id") == broken["id"] and m["type"] != "post.created"
    )
    assert gone["type"] == "post.deleted"  # others never learn why, the post just goes
    assert (await other.http.get(f"/api/v1/posts/{broken['id']}")).status_code == 404

    assert (await author.wait_for_post(good["id"]))["status"] == "ready"
    await socket.close()
    await other_socket.close()


async def test_deleting_a_post_removes_its_media_and_tells_everyone(
    make_client, embedded_server: EmbeddedServer, tmp_path: Path
) -> None:
    author: MurmurClient = await make_client()
    watcher: MurmurClient = await make_client()
    post = await author.wait_for_post(
        (await author.post("bye", [make.small_photo(tmp_path)]))["id"]
    )
    files = [_media_file(embedded_server, post["attachments"][0][k]) for k in ("url", "thumb_url")]
    assert all(f.is_file() for f in files)
    socket = await watcher.open_socket()

    response = await author.http.delete(
        f"/api/v1/posts/{post['id']}", headers=await author.headers()
    )
    assert response.status_code == 204
    await socket.next_message(lambda m: m["type"] == "post.deleted" and m["post_id"] == post["id"])
    assert not any(f.exists() for f in files)
    await socket.close()


@pytest.mark.parametrize(
    "maker",
    [
        make.png_with_alpha,
        make.animated_gif,
        make.webm_video,
        make.mov_video,
        make.mkv_video,
        make.heic_photo,
    ],
)
async def test_every_accepted_format_becomes_ready(make_client, tmp_path: Path, maker) -> None:
    client: MurmurClient = await make_client()
    post = await client.wait_for_post((await client.post("", [maker(tmp_path)]))["id"])
    assert post["attachments"][0]["url"]


async def test_a_post_takes_four_images_or_one_video_not_both(make_client, tmp_path: Path) -> None:
    client: MurmurClient = await make_client()
    photo = (await client.upload(make.small_photo(tmp_path))).json()["id"]
    video = (await client.upload(make.silent_video(tmp_path))).json()["id"]
    response = await client.http.post(
        "/api/v1/posts",
        json={"text": "", "attachments": [{"upload_id": photo}, {"upload_id": video}]},
        headers=await client.headers(),
    )
    assert response.status_code == 400 and "one video" in response.json()["detail"]

    photos = [
        (await client.upload(make.small_photo(tmp_path, 64 + i, 48))).json()["id"] for i in range(5)
    ]
    response = await client.http.post(
        "/api/v1/posts",
        json={"attachments": [{"upload_id": i} for i in photos]},
        headers=await client.headers(),
    )
    assert response.status_code == 400 and "at most 4 images" in response.json()["detail"]

    other: MurmurClient = await make_client()
    response = await other.http.post(
        "/api/v1/posts", json={"attachments": [{"upload_id": photo}]}, headers=await other.headers()
    )
    assert response.status_code == 400 and "not found" in response.json()["detail"]
