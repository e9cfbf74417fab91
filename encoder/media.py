"""Murmur's media work as plain functions: an uploaded file in, finished files and facts out.

Nothing here knows about the database, the bus or the object stores: each function reads
one local file, writes into one local folder and returns what it made, so the worker can
run it in a thread and tests and benchmarks can call it alone.

What the product promises, and where it is kept:

- ``probe`` tells at upload time what a file is, from its magic bytes first and then
  from Pillow or ffprobe headers (never a full decode), with its display size.
- ``encode_image`` turns a photo upright, into sRGB, without any metadata, fitted inside
  1920 px, plus a 480 px thumbnail.
- ``encode_animation`` turns an animated GIF or WebP into a silent H.264 MP4 that the
  page plays with ``loop muted autoplay``, plus a poster.
- ``encode_video`` makes an upright H.264/AAC MP4 fitted inside 1280x720 (720x1280 when
  portrait), ready to stream before it has fully downloaded, plus a poster.

Two errors reach the caller, both with ``.reason``, a sentence fit to show the author:
UnsupportedMedia (not a kind of file we take) and its parent MediaError (a file we take
but cannot read or encode, or encoding ran out of time). Anything else is a fault of
this machine (ffmpeg.ToolUnavailable when ffmpeg is missing, OSError when the disk is
full), not of the file, and is worth retrying.
"""

from __future__ import annotations

import codecs
import io
import logging
import math
import struct
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import pillow_heif
from PIL import ExifTags, Image, ImageCms, ImageSequence, UnidentifiedImageError

from encoder import ffmpeg

logger = logging.getLogger(__name__)

pillow_heif.register_heif_opener()

IMAGE_MAX_SIDE = 1920
THUMB_MAX_SIDE = 480
VIDEO_BOX = (1280, 720)
"""Long and short side of the box a video or animation is fitted into, either way round."""

# WebP for every image, opaque photos included: every browser Murmur supports shows it,
# it carries alpha when a PNG needs it, one format means one code path, and it is smaller
# (a noisy 1440x1920 frame: 352 KB at WebP q80 against 445 KB as an optimised q85 JPEG).
# It costs ~0.2 s more CPU per photo than JPEG, which an asynchronous job does not feel.
WEBP_QUALITY = 80
WEBP_METHOD = 4
"""libwebp effort, 0-6: 4 is its default balance of size and speed."""
POSTER_JPEG_QUALITY = 85

# veryfast at CRF 23: a 10 s 1080p clip becomes 720p in about 3 s on two cores (a third
# of real time), at ~1.3 Mb/s, plenty for a feed; slower presets buy a little size with
# a lot of CPU that uploads queue behind.
X264_PRESET = "veryfast"
X264_CRF = "23"
AUDIO_BITRATE = "128k"
MAX_FPS = "60"
"""Frame rate cap: 120/240 fps phone clips are slowed-down footage to a browser anyway."""
POSTER_AT_S = 1.0
"""Where the poster frame is taken: the very first frame is often black or a fade."""

ANIMATION_FPS = 30
"""Constant rate animations are resampled to; a frame's timing is off by at most 1/60 s."""
ANIMATION_MAX_S = 300.0
"""Longest animation accepted, in playback time: a few tiny frames can ask for hours."""

IMAGE_NAME = "image.webp"
THUMB_NAME = "thumb.webp"
VIDEO_NAME = "media.mp4"
POSTER_NAME = "poster.jpg"

HEAD_BYTES = 4096
"""How much of a file ``sniff`` needs to see."""

IMAGE_CONTAINERS = frozenset({"jpeg", "png", "webp", "gif", "heic"})
VIDEO_CONTAINERS = frozenset({"mp4", "mov", "webm", "mkv"})

_PILLOW_FORMATS = {"jpeg": "JPEG", "png": "PNG", "webp": "WEBP", "gif": "GIF", "heic": "HEIF"}
_DEMUXERS = {"mp4": "mov", "mov": "mov", "webm": "matroska", "mkv": "matroska"}

ACCEPTED_FORMATS = "JPEG, PNG, WebP, GIF or HEIC photos, or MP4, MOV, WebM or MKV videos"
"""The formats we take, as words that finish "Please upload ..."."""
_ACCEPTED = ACCEPTED_FORMATS  # old name, kept until app/posts/uploads.py imports the new one
_DEFAULT_PIXEL_LIMIT = 89_478_485
"""Pillow's own default, used if someone switched Pillow's limit off."""
_WHITE = (255, 255, 255)

# EXIF orientation -> the transpose that makes the picture upright, and the clockwise
# rotation that involves (mirrored orientations rotate too).
_ORIENTATION_FIX = {
    2: (Image.Transpose.FLIP_LEFT_RIGHT, 0),
    3: (Image.Transpose.ROTATE_180, 180),
    4: (Image.Transpose.FLIP_TOP_BOTTOM, 180),
    5: (Image.Transpose.TRANSPOSE, 270),
    6: (Image.Transpose.ROTATE_270, 90),
    7: (Image.Transpose.TRANSVERSE, 90),
    8: (Image.Transpose.ROTATE_90, 270),
}


class MediaError(Exception):
    """The file cannot become a post's media; ``reason`` says why in a sentence for people.

    ``detail`` keeps the technical cause (a tool's last error lines) for the log.
    """

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(reason)
        self.reason = reason
        self.detail = detail

    def __str__(self) -> str:
        return f"{self.reason} ({self.detail})" if self.detail else self.reason


class UnsupportedMedia(MediaError):
    """The file is not an image or video of a kind we take (text, PDF, TIFF, ...)."""


@dataclass(frozen=True)
class MediaInfo:
    kind: str
    """"image", "animation" (animated GIF or WebP) or "video"."""
    container: str
    """What ``sniff`` found: jpeg, png, webp, gif, heic, mp4, mov, webm or mkv."""
    width: int
    """Display width: after EXIF orientation or rotation metadata, in square pixels."""
    height: int
    rotation: int
    """Degrees clockwise the stored picture must turn to be upright: 0, 90, 180 or 270."""
    duration_s: float | None
    """Videos only; an animation's length is known once encoded."""
    has_audio: bool
    audio_channels: int = 0


@dataclass(frozen=True)
class EncodedMedia:
    kind: str
    mime_type: str
    main_path: Path
    """The finished image (.webp) or video (.mp4)."""
    thumb_path: Path
    """480 px thumbnail (.webp) for images, poster (.jpg) for videos and animations."""
    width: int
    height: int
    duration_s: float | None
    byte_size: int
    """Size of ``main_path`` in bytes."""
    thumb_mime_type: str = "image/jpeg"
    has_audio: bool = False


# -- recognising files ------------------------------------------------------------------


def sniff(head: bytes) -> str | None:
    """The container named by the first bytes of a file, or None if it is none we take."""
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if head[4:8] == b"ftyp":
        return _sniff_iso_bmff(head)
    if head[4:8] in (b"moov", b"mdat", b"wide", b"pnot"):
        return "mov"  # QuickTime from before ftyp boxes existed
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return _sniff_matroska(head)
    return None


_HEIC_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"hevm", b"hevs"}
_AVIF_BRANDS = {b"avif", b"avis"}
_RAW_BRANDS = {b"crx "}


def _sniff_iso_bmff(head: bytes) -> str | None:
    box_size = int.from_bytes(head[0:4], "big")
    major = head[8:12]
    end = min(box_size, len(head)) if box_size >= 16 else 16
    brands = {major} | {head[i : i + 4] for i in range(16, end - 3, 4)}

    if major in _HEIC_BRANDS:
        return "heic"
    if major in _AVIF_BRANDS or major in _RAW_BRANDS:
        return None
    if major in (b"mif1", b"msf1"):
        # Generic HEIF: it is HEIC only if the pictures inside are HEVC.
        return "heic" if brands & _HEIC_BRANDS else None
    if major == b"qt  ":
        return "mov"
    # isom, mp41, mp42, avc1, 3gp4, M4V, dash and the many vendor brands are all MP4.
    return "mp4"


def _sniff_matroska(head: bytes) -> str | None:
    header = head[:64]
    if b"webm" in header:
        return "webm"
    if b"matroska" in header:
        return "mkv"
    return None


_LOOKALIKES: list[tuple[bytes, int, str]] = [
    (b"%PDF", 0, "a PDF document"),
    (b"PK\x03\x04", 0, "a ZIP archive or office document"),
    (b"\x1f\x8b", 0, "a gzip archive"),
    (b"Rar!", 0, "a RAR archive"),
    (b"7z\xbc\xaf", 0, "a 7-Zip archive"),
    (b"\x7fELF", 0, "a program"),
    (b"MZ", 0, "a Windows program"),
    (b"II*\x00", 0, "a TIFF image"),
    (b"MM\x00*", 0, "a TIFF image"),
    (b"BM", 0, "a BMP image"),
    (b"8BPS", 0, "a Photoshop document"),
    (b"\x00\x00\x01\x00", 0, "an icon file"),
    (b"ID3", 0, "an MP3 audio file"),
    (b"OggS", 0, "an Ogg audio or video file"),
    (b"fLaC", 0, "a FLAC audio file"),
    (b"FLV", 0, "a Flash video"),
    (b"\x00\x00\x01\xba", 0, "an MPEG program stream"),
    (b"\x30\x26\xb2\x75", 0, "a Windows Media file"),
    (b"AVI ", 8, "an AVI video"),
    (b"WAVE", 8, "a WAV audio file"),
]


def describe(head: bytes) -> str:
    """A clause saying what a file we do not take seems to be: "it looks like plain text"."""
    if not head:
        return "it is empty"
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in _AVIF_BRANDS or b"avif" in head[16:64]:
            return "it looks like an AVIF image, which we do not take yet"
        if brand in _RAW_BRANDS:
            return "it looks like a camera raw file"
    text = _as_text(head)
    for magic, offset, name in _LOOKALIKES:
        # Two-byte marks ("BM", "MZ") also begin ordinary words: text wins over them.
        if head[offset : offset + len(magic)] == magic and (text is None or len(magic) > 2):
            return f"it looks like {name}"
    if len(head) > 188 * 2 and head[0] == head[188] == head[376] == 0x47:
        return "it looks like an MPEG transport stream"
    if text is not None:
        lowered = text.lstrip().lower()
        if lowered.startswith("<svg") or (lowered.startswith("<?xml") and "<svg" in lowered):
            return "it looks like an SVG drawing"
        if lowered.startswith(("<!doctype html", "<html")):
            return "it looks like a web page"
        if lowered.startswith("#extm3u"):
            return "it looks like a streaming playlist"
        return "it looks like plain text"
    return "we do not recognise its format"


def _as_text(head: bytes) -> str | None:
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return head.decode("utf-16", "replace")
    try:
        # An incremental decoder tolerates a character cut in two at the end of the head.
        text = codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        return None
    allowed = {"\t", "\n", "\r", "\f"}
    if any(ch < " " and ch not in allowed for ch in text):
        return None
    return text


def read_head(path: Path) -> bytes:
    with path.open("rb") as file:
        return file.read(HEAD_BYTES)


def unsupported_reason(head: bytes) -> str:
    """The sentence telling an uploader that a file with this head is not one we take."""
    return (
        f"This file is not an image or video we can read ({describe(head)}). "
        f"Please upload {ACCEPTED_FORMATS}."
    )


def _container_of(path: Path) -> str:
    head = read_head(path)
    container = sniff(head)
    if container is None:
        raise UnsupportedMedia(unsupported_reason(head))
    return container


# -- probing ----------------------------------------------------------------------------


def probe(path: Path, timeout_s: float = 30) -> MediaInfo:
    """What a file is and its display size, from its headers (fast enough for an upload)."""
    container = _container_of(path)
    if container in IMAGE_CONTAINERS:
        return _probe_image(path, container)
    return _probe_video(path, container, timeout_s)


def _probe_image(path: Path, container: str) -> MediaInfo:
    with _open_image(path, container) as img:
        width, height = img.size
        _check_pixels(width, height)
        animated = container in ("gif", "webp") and bool(getattr(img, "is_animated", False))
        orientation = _exif_orientation(img)

    rotation = _ORIENTATION_FIX[orientation][1] if orientation in _ORIENTATION_FIX else 0
    if orientation in (5, 6, 7, 8):
        width, height = height, width
    return MediaInfo(
        kind="animation" if animated else "image",
        container=container,
        width=width,
        height=height,
        rotation=rotation,
        duration_s=None,
        has_audio=False,
    )


def _probe_video(path: Path, container: str, timeout_s: float) -> MediaInfo:
    try:
        data = ffmpeg.probe_json(path, _DEMUXERS[container], timeout_s)
    except ffmpeg.ToolTimeout as exc:
        raise MediaError(
            f"Reading this video took longer than {timeout_s:g} s, so we gave up.",
            ffmpeg.last_lines(exc.stderr),
        ) from exc
    except ffmpeg.ToolError as exc:
        raise MediaError(
            "This video could not be read; the file may be damaged or incomplete.",
            ffmpeg.last_lines(exc.stderr),
        ) from exc

    streams: list[dict[str, Any]] = data.get("streams") or []
    video = _main_video_stream(streams)
    audio = [s for s in streams if s.get("codec_type") == "audio"]
    if video is None:
        found = "it has sound but no picture" if audio else "it has no picture"
        raise UnsupportedMedia(f"This file is not a video we can use ({found}).")
    if not video.get("codec_name"):
        raise UnsupportedMedia("This video uses a picture format we cannot decode.")

    width, height = _stored_display_size(video)
    rotation = _video_rotation(video)
    if rotation in (90, 270):
        width, height = height, width
    return MediaInfo(
        kind="video",
        container=container,
        width=width,
        height=height,
        rotation=rotation,
        duration_s=_video_duration(data, video),
        has_audio=bool(audio),
        audio_channels=max((_int(s.get("channels")) for s in audio), default=0),
    )


def _main_video_stream(streams: list[dict[str, Any]]) -> dict[str, Any] | None:
    for stream in streams:
        is_cover_art = (stream.get("disposition") or {}).get("attached_pic") == 1
        if stream.get("codec_type") == "video" and not is_cover_art:
            return stream
    return None


def _stored_display_size(video: dict[str, Any]) -> tuple[int, int]:
    """Frame size with non-square pixels (anamorphic video) stretched to square ones."""
    width, height = _int(video.get("width")), _int(video.get("height"))
    if width <= 0 or height <= 0:
        raise MediaError(
            "This video could not be read; its picture has no size.",
            f"width={video.get('width')!r} height={video.get('height')!r}",
        )
    sar = _ratio(video.get("sample_aspect_ratio"))
    if sar and abs(sar - 1) > 0.01:
        width = max(2, round(width * sar))
    return width, height


def _video_rotation(video: dict[str, Any]) -> int:
    """Clockwise display rotation, from the display matrix or an old-style rotate tag."""
    for side_data in video.get("side_data_list") or []:
        if "rotation" in side_data:
            # ffprobe reports the matrix's angle counter-clockwise; a phone held upright
            # records -90, meaning "turn 90 degrees clockwise to show".
            return _quarter_turns(-float(side_data["rotation"]))
    tag = (video.get("tags") or {}).get("rotate")
    if tag is not None:
        return _quarter_turns(float(tag))
    return 0


def _quarter_turns(degrees: float) -> int:
    return (round(degrees / 90) * 90) % 360


def _video_duration(data: dict[str, Any], video: dict[str, Any]) -> float | None:
    for raw in ((data.get("format") or {}).get("duration"), video.get("duration")):
        try:
            value = float(raw)
        except (TypeError, ValueError):
            continue
        if value > 0:
            return value
    return None


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def _ratio(value: Any) -> float | None:
    if not isinstance(value, str) or ":" not in value:
        return None
    num, _, den = value.partition(":")
    try:
        return int(num) / int(den) if int(num) > 0 and int(den) > 0 else None
    except ValueError:
        return None


# -- images -----------------------------------------------------------------------------


def _open_image(path: Path, container: str) -> Image.Image:
    """Open with only the decoder the magic bytes named, so no other parser ever runs."""
    try:
        return Image.open(path, formats=[_PILLOW_FORMATS[container]])
    except Image.DecompressionBombError as exc:
        raise _bomb_error() from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as exc:
        raise MediaError(
            "This image could not be read; the file may be damaged or incomplete.", str(exc)
        ) from exc


def _check_pixels(width: int, height: int) -> None:
    """Refuse pictures so large that decoding them could exhaust memory (decompression bombs)."""
    if width * height > _pixel_limit():
        raise _bomb_error(width, height)


def _pixel_limit() -> int:
    return Image.MAX_IMAGE_PIXELS or _DEFAULT_PIXEL_LIMIT


def _bomb_error(width: int | None = None, height: int | None = None) -> MediaError:
    limit_mp = _pixel_limit() / 1e6
    size = f" is {width}x{height} pixels, which" if width and height else ""
    return MediaError(
        f"This picture{size} is larger than the {limit_mp:.0f} megapixels we accept.",
        f"pixel limit {_pixel_limit()}",
    )


def _exif_orientation(img: Image.Image) -> int:
    try:
        value = img.getexif().get(ExifTags.Base.Orientation, 1)
    except (SyntaxError, ValueError, OSError, struct.error, TypeError) as exc:
        logger.debug("unreadable EXIF, taking the picture as upright: %s", exc)
        return 1
    return value if isinstance(value, int) and 1 <= value <= 8 else 1


def encode_image(src: Path, out_dir: Path, timeout_s: float = 600) -> EncodedMedia:
    """An upright sRGB WebP fitted inside 1920 px with no metadata, and a 480 px thumbnail.

    ``timeout_s`` is accepted for symmetry; Pillow cannot be interrupted, and the pixel
    limit is what bounds the work. An animated file gives its first frame.
    """
    started = time.monotonic()
    container = _container_of(src)
    if container not in IMAGE_CONTAINERS:
        raise UnsupportedMedia(f"This file is a {container} video, not an image.")

    source_size, main = _decode_to_srgb(src, container, lambda p: _fitted(p, IMAGE_MAX_SIDE))
    main = _without_unused_alpha(main)
    thumb = _fitted(main, THUMB_MAX_SIDE)

    out_dir.mkdir(parents=True, exist_ok=True)
    main_path, thumb_path = out_dir / IMAGE_NAME, out_dir / THUMB_NAME
    _save_webp(main, main_path)
    _save_webp(thumb, thumb_path)

    logger.debug(
        "image %s %dx%d -> %dx%d %s in %.2f s",
        container,
        *source_size,
        *main.size,
        main.mode,
        time.monotonic() - started,
    )
    return EncodedMedia(
        kind="image",
        mime_type="image/webp",
        main_path=main_path,
        thumb_path=thumb_path,
        width=main.width,
        height=main.height,
        duration_s=None,
        byte_size=main_path.stat().st_size,
        thumb_mime_type="image/webp",
    )


def _decode_to_srgb(
    src: Path, container: str, shape: Callable[[Image.Image], Image.Image]
) -> tuple[tuple[int, int], Image.Image]:
    """Decode upright, shape (scale or crop), then convert to sRGB; faults become MediaError.

    Shaping before the colour conversion keeps that conversion to the pixels that stay.
    Returns the upright source size and the result.
    """
    try:
        with _open_image(src, container) as img:
            _check_pixels(*img.size)
            icc = img.info.get("icc_profile")
            picture = _decoded_upright(img)
        return picture.size, _to_srgb(shape(picture), icc)
    except Image.DecompressionBombError as exc:
        raise _bomb_error() from exc
    except (OSError, SyntaxError, ValueError, EOFError, struct.error) as exc:
        raise MediaError(
            "This image could not be read; the file may be damaged or incomplete.", str(exc)
        ) from exc


def encode_avatar(src: Path, out_dir: Path, sizes: tuple[int, ...]) -> dict[int, Path]:
    """Square sRGB WebPs of the picture's centre, one per side length, with no metadata.

    The largest square that fits is cut from the middle (faces are rarely at the edge of
    a portrait) and scaled down to each size; a smaller picture is never scaled up.
    """
    container = _container_of(src)
    if container not in IMAGE_CONTAINERS:
        raise UnsupportedMedia(f"A profile picture must be a photo; this file is a {container}.")

    _, square = _decode_to_srgb(src, container, _centre_square)
    square = _without_unused_alpha(square)
    out_dir.mkdir(parents=True, exist_ok=True)
    outputs: dict[int, Path] = {}
    for size in sizes:
        path = out_dir / f"avatar-{size}.webp"
        _save_webp(_fitted(square, size), path)
        outputs[size] = path
    return outputs


def _centre_square(img: Image.Image) -> Image.Image:
    side = min(img.size)
    left = (img.width - side) // 2
    top = (img.height - side) // 2
    return img.crop((left, top, left + side, top + side))


def _decoded_upright(img: Image.Image) -> Image.Image:
    """The decoded picture, turned upright, in a mode the colour steps understand."""
    orientation = _exif_orientation(img)
    _decode_reduced(img, IMAGE_MAX_SIDE)
    img.load()

    picture = _normalised_mode(img)
    fix = _ORIENTATION_FIX.get(orientation)
    return picture.transpose(fix[0]) if fix else picture


def _decode_reduced(img: Image.Image, max_side: int) -> None:
    """Let the JPEG decoder scale down by 1/2, 1/4 or 1/8 while decoding, never below target.

    A 12 MP photo then decodes at 3 MP, four times less work before the real resize.
    """
    if img.format != "JPEG":
        return
    scale = max_side / max(img.size)
    if scale < 1:
        target = (math.ceil(img.width * scale), math.ceil(img.height * scale))
        img.draft(img.mode, target)


def _normalised_mode(img: Image.Image) -> Image.Image:
    """RGB, RGBA, CMYK or L, the modes an ICC transform and the resize handle well."""
    if img.mode in ("LA", "PA", "La", "RGBa") or "transparency" in img.info:
        return img.convert("RGBA")  # tRNS colour keys and palette transparency included
    if img.mode in ("RGB", "RGBA", "CMYK", "L"):
        return img
    if img.mode.startswith("I"):
        # 16-bit greyscale: keep the top 8 bits rather than letting convert() clip.
        return img.convert("I").point(lambda value: value / 256).convert("L")
    return img.convert("RGB")


def _fitted(img: Image.Image, max_side: int) -> Image.Image:
    """Scaled down so its longest side is at most ``max_side``; never scaled up."""
    scale = max_side / max(img.size)
    if scale >= 1:
        return img
    size = (max(1, round(img.width * scale)), max(1, round(img.height * scale)))
    return img.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)


def _to_srgb(img: Image.Image, icc: bytes | None) -> Image.Image:
    """Colours converted from the embedded profile to sRGB; untagged pictures are sRGB."""
    target_mode = "RGBA" if img.mode == "RGBA" else "RGB"
    if icc:
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
            converted = ImageCms.profileToProfile(
                img,
                source,
                # A fresh profile per call: LittleCMS profiles are not safe to share
                # between the worker's threads, and making one takes microseconds.
                ImageCms.createProfile("sRGB"),
                renderingIntent=ImageCms.Intent.PERCEPTUAL,
                outputMode=target_mode,
            )
            if converted is not None:
                return converted
        except (ImageCms.PyCMSError, OSError, ValueError, TypeError) as exc:
            # A broken or mismatched profile (an RGB profile on a CMYK file) is common
            # enough in the wild; the plain conversion below is the best guess left.
            logger.info("ignoring an unusable ICC profile (%s): %s", img.mode, exc)
    return img if img.mode == target_mode else img.convert(target_mode)


def _without_unused_alpha(img: Image.Image) -> Image.Image:
    if img.mode == "RGBA" and img.getchannel("A").getextrema()[0] == 255:
        return img.convert("RGB")
    return img


def _save_webp(img: Image.Image, path: Path) -> None:
    # Pixels only: a fresh image carries no EXIF, GPS, XMP or ICC from the upload, whatever
    # a future Pillow might copy along from the source's info.
    clean = Image.new(img.mode, img.size)
    clean.paste(img)
    clean.save(path, "WEBP", quality=WEBP_QUALITY, method=WEBP_METHOD)


# -- sizes ------------------------------------------------------------------------------


def fit_box(width: int, height: int) -> tuple[int, int]:
    """Even dimensions fitting the display frame into 1280x720, or 720x1280 if portrait.

    A phone held upright films 1080x1920; fitting that into a landscape 1280x720 box
    would leave a 405x720 sliver, so the box turns with the picture: the long side is
    capped at 1280 and the short side at 720 whichever way round they are. Never larger
    than the source; even because H.264 in yuv420p needs it.
    """
    long_side, short_side = VIDEO_BOX
    box_w, box_h = (long_side, short_side) if width >= height else (short_side, long_side)
    scale = min(1.0, box_w / width, box_h / height)
    return _even(width, scale), _even(height, scale)


def _even(size: int, scale: float) -> int:
    scaled = min(size, round(size * scale))
    return max(2, scaled - scaled % 2)


# -- videos -----------------------------------------------------------------------------


def video_command(src: Path, dst: Path, info: MediaInfo, poster: Path | None = None) -> list[str]:
    """The one ffmpeg run that makes a video's MP4 (and its poster, if asked).

    ffmpeg turns frames upright by itself when it re-encodes (autorotate, on by default)
    and writes no rotation into the output, so the scale below works on the display-
    oriented frame. The poster is cut from the same scaled frames inside the filter
    graph: a trim there ends its branch after one frame, where a second process would
    cost ~0.1 s of start-up and an output-side ``-ss`` would keep converting every frame.
    """
    width, height = fit_box(info.width, info.height)
    # Known gap: HDR (PQ/HLG) sources go to 8 bits without tone mapping and can look washed
    # out on ordinary screens; add zscale+tonemap here once phones' HDR clips matter.
    chain = f"scale={width}:{height},setsar=1,format=yuv420p"
    if poster is None:
        graph = f"[0:V:0]{chain}[video]"
    else:
        graph = (
            f"[0:V:0]{chain},split=2[video][still];"
            f"[still]trim=start={_poster_time(info.duration_s):.3f},trim=end_frame=1[poster]"
        )

    # fmt: off
    argv = [
        ffmpeg.FFMPEG, *ffmpeg.COMMON_FLAGS, "-y",
        *ffmpeg.input_args(src, _DEMUXERS[info.container]),
        "-filter_complex", graph,
        "-map", "[video]",
        *_audio_args(info),
        # No global or per-stream metadata: phones write the place a clip was filmed.
        "-map_metadata", "-1",
        "-map_chapters", "-1",
        # x264 picks its own thread count (1.5x the cores); measured on two cores it is
        # as fast as any fixed setting, and it adapts when the machine grows.
        "-c:v", "libx264",
        "-preset", X264_PRESET,
        "-crf", X264_CRF,
        "-fpsmax", MAX_FPS,
        "-movflags", "+faststart",
        "-f", "mp4", ffmpeg.file_url(dst),
    ]
    if poster is not None:
        argv += [
            "-map", "[poster]",
            "-map_metadata", "-1",
            "-frames:v", "1",
            "-q:v", "3",
            "-f", "image2", "-update", "1", ffmpeg.file_url(poster),
        ]
    # fmt: on
    return argv


def _audio_args(info: MediaInfo) -> list[str]:
    if not info.has_audio:
        return []
    args = ["-map", "0:a:0", "-c:a", "aac", "-b:a", AUDIO_BITRATE]
    if info.audio_channels > 2:
        args += ["-ac", "2"]  # surround is wasted on a phone's speaker and a feed's bitrate
    return args


def _poster_time(duration_s: float | None) -> float:
    if not duration_s:
        return 0.0
    return min(POSTER_AT_S, duration_s / 2)


def encode_video(
    src: Path, out_dir: Path, timeout_s: float = 600, info: MediaInfo | None = None
) -> EncodedMedia:
    """An upright H.264/AAC MP4 fitted inside 1280x720 (or 720x1280), with faststart.

    Pass ``info`` from an earlier ``probe`` of the same file to skip probing again.
    """
    deadline = time.monotonic() + timeout_s
    if info is None:
        info = probe(src, timeout_s)
    if info.kind != "video":
        raise UnsupportedMedia(f"This file is a {info.container} {info.kind}, not a video.")

    out_dir.mkdir(parents=True, exist_ok=True)
    main_path, poster_path = out_dir / VIDEO_NAME, out_dir / POSTER_NAME
    # A poster left by an earlier attempt must not pass for this one's.
    poster_path.unlink(missing_ok=True)

    argv = video_command(src, main_path, info, poster_path)
    _run_encoder(argv, deadline, timeout_s, "video")
    if not poster_path.exists():
        _extract_poster(main_path, poster_path, deadline, timeout_s)

    width, height = fit_box(info.width, info.height)
    duration = mp4_duration(main_path) or info.duration_s
    _check_complete(info.duration_s, duration)
    return EncodedMedia(
        kind="video",
        mime_type="video/mp4",
        main_path=main_path,
        thumb_path=poster_path,
        width=width,
        height=height,
        duration_s=duration,
        byte_size=main_path.stat().st_size,
        thumb_mime_type="image/jpeg",
        has_audio=info.has_audio,
    )


def _check_complete(declared_s: float | None, encoded_s: float | None) -> None:
    """Refuse a file cut short: its header promises more than the decoder could read."""
    if not declared_s or encoded_s is None:
        return
    if encoded_s < declared_s - max(1.0, 0.1 * declared_s):
        raise MediaError(
            f"This video file is incomplete: it should last {declared_s:.1f} s, but only "
            f"{encoded_s:.1f} s could be read. Please upload the whole file again.",
            f"declared {declared_s:.2f}s, encoded {encoded_s:.2f}s",
        )


def _extract_poster(video: Path, poster: Path, deadline: float, timeout_s: float) -> None:
    """The first frame of a finished MP4, for clips too short for the usual poster time."""
    # fmt: off
    argv = [
        ffmpeg.FFMPEG, *ffmpeg.COMMON_FLAGS, "-y",
        *ffmpeg.input_args(video, "mov"),
        "-map", "0:v:0",
        "-frames:v", "1",
        "-q:v", "3",
        "-f", "image2", "-update", "1", ffmpeg.file_url(poster),
    ]
    # fmt: on
    _run_encoder(argv, deadline, timeout_s, "video")
    if not poster.exists():
        raise MediaError(
            "This video could not be decoded; it has no picture we can show.",
            "no frame came out of the encoded file",
        )


def _run_encoder(
    argv: list[str],
    deadline: float,
    timeout_s: float,
    what: str,
    feed: Callable[[IO[bytes]], None] | None = None,
) -> None:
    try:
        ffmpeg.run(argv, deadline - time.monotonic(), feed=feed)
    except ffmpeg.ToolTimeout as exc:
        raise MediaError(
            f"Encoding this {what} took longer than the {timeout_s:g} s limit, so it was stopped.",
            ffmpeg.last_lines(exc.stderr),
        ) from exc
    except ffmpeg.ToolError as exc:
        raise MediaError(
            f"This {what} could not be decoded; the file may be damaged or use a format "
            "we cannot read.",
            ffmpeg.last_lines(exc.stderr),
        ) from exc


def mp4_duration(path: Path) -> float | None:
    """Duration from the movie header of an MP4 whose index comes first (faststart)."""
    with path.open("rb") as file:
        moov = _find_box(file, b"moov", 0, path.stat().st_size)
        if moov is None:
            return None
        mvhd = _find_box(file, b"mvhd", *moov)
        if mvhd is None:
            return None
        file.seek(mvhd[0])
        body = file.read(32)
    if body[:1] == b"\x01":
        timescale, duration = struct.unpack(">IQ", body[20:32])
    else:
        timescale, duration = struct.unpack(">II", body[12:20])
    return duration / timescale if timescale else None


def _find_box(file: IO[bytes], kind: bytes, start: int, end: int) -> tuple[int, int] | None:
    """(body start, body end) of the first box of that kind between start and end."""
    for box_kind, body_start, box_end in iter_boxes(file, start, end):
        if box_kind == kind:
            return body_start, box_end
    return None


def iter_boxes(file: IO[bytes], start: int, end: int) -> Iterator[tuple[bytes, int, int]]:
    """ISO-BMFF boxes between two offsets: (type, body start, box end)."""
    offset = start
    while offset + 8 <= end:
        file.seek(offset)
        header = file.read(16)
        if len(header) < 8:
            return
        size, kind = struct.unpack(">I4s", header[:8])
        header_len = 8
        if size == 1 and len(header) == 16:
            size = struct.unpack(">Q", header[8:16])[0]
            header_len = 16
        elif size == 0:
            size = end - offset
        if size < header_len:
            return
        yield kind, offset + header_len, offset + size
        offset += size


# -- animations -------------------------------------------------------------------------


def encode_animation(src: Path, out_dir: Path, timeout_s: float = 600) -> EncodedMedia:
    """An animated GIF or WebP as a silent H.264 MP4 fitted like a video, and a poster.

    Pillow decodes the frames (it composes GIF disposal and transparency, and ffmpeg 5.1
    cannot read animated WebP at all) and pipes them to ffmpeg at a constant rate, each
    frame repeated for as long as it shows, so the last frame keeps its full time too.
    Transparent areas become white. Looping is the page's job (``<video loop>``).
    """
    deadline = time.monotonic() + timeout_s
    container = _container_of(src)
    if container not in ("gif", "webp"):
        raise UnsupportedMedia(f"This file is a {container} file, not an animated GIF or WebP.")

    out_dir.mkdir(parents=True, exist_ok=True)
    main_path, poster_path = out_dir / VIDEO_NAME, out_dir / POSTER_NAME
    try:
        with _open_image(src, container) as img:
            _check_pixels(*img.size)
            width, height = fit_box(*img.size)
            frames = _FramePipe(img)
            argv = animation_command(img.size, (width, height), main_path)
            _run_encoder(argv, deadline, timeout_s, "animation", feed=frames.write_to)
    except (OSError, SyntaxError, ValueError, EOFError, struct.error) as exc:
        raise MediaError(
            "This animation could not be read; the file may be damaged or incomplete.", str(exc)
        ) from exc

    poster = frames.first_frame
    if poster is None:
        raise MediaError("This animation has no frames we can show.")
    poster = poster.resize((width, height), Image.Resampling.LANCZOS)
    poster.save(poster_path, "JPEG", quality=POSTER_JPEG_QUALITY)

    return EncodedMedia(
        kind="animation",
        mime_type="video/mp4",
        main_path=main_path,
        thumb_path=poster_path,
        width=width,
        height=height,
        duration_s=mp4_duration(main_path) or frames.duration_s,
        byte_size=main_path.stat().st_size,
        thumb_mime_type="image/jpeg",
    )


def animation_command(source_size: tuple[int, int], size: tuple[int, int], dst: Path) -> list[str]:
    """ffmpeg reading raw RGB frames on stdin at ANIMATION_FPS, writing a silent MP4."""
    width, height = size
    # fmt: off
    return [
        ffmpeg.FFMPEG, *ffmpeg.COMMON_FLAGS, "-y",
        "-protocol_whitelist", "pipe",
        "-f", "rawvideo",
        "-pix_fmt", "rgb24",
        "-video_size", f"{source_size[0]}x{source_size[1]}",
        "-framerate", str(ANIMATION_FPS),
        "-i", "pipe:0",
        "-vf", f"scale={width}:{height},setsar=1,format=yuv420p",
        "-an",
        "-map_metadata", "-1",
        "-c:v", "libx264",
        "-preset", X264_PRESET,
        "-crf", X264_CRF,
        "-movflags", "+faststart",
        "-f", "mp4", ffmpeg.file_url(dst),
    ]
    # fmt: on


class _FramePipe:
    """Feeds an animation's frames to ffmpeg as constant-rate raw RGB, noting what it sent."""

    def __init__(self, img: Image.Image) -> None:
        self._img = img
        self.first_frame: Image.Image | None = None
        self.duration_s = 0.0

    def write_to(self, stdin: IO[bytes]) -> None:
        elapsed_ms = 0
        sent = 0
        for frame in ImageSequence.Iterator(self._img):
            frame.load()  # WebP only knows a frame's duration once it is decoded
            elapsed_ms += _frame_delay_ms(frame.info.get("duration"))
            if elapsed_ms > ANIMATION_MAX_S * 1000:
                raise MediaError(
                    f"This animation plays for more than {ANIMATION_MAX_S / 60:.0f} minutes; "
                    "please upload it as a video."
                )
            rgb = _on_white(frame)
            if self.first_frame is None:
                self.first_frame = rgb.copy()

            # Cumulative rounding: each frame ends where its own end time falls, so
            # rounding errors never add up along the animation. The first frame always
            # shows; a later one shorter than a frame's time may fall between two.
            until = round(elapsed_ms * ANIMATION_FPS / 1000)
            if sent == 0:
                until = max(until, 1)
            data = rgb.tobytes()
            for _ in range(until - sent):
                stdin.write(data)
            sent = until
        self.duration_s = elapsed_ms / 1000


def _frame_delay_ms(value: Any) -> int:
    # Browsers show GIF frames that ask for 10 ms or less for 100 ms; do the same, or
    # such animations would play ten times faster here than anywhere else.
    delay = int(value) if isinstance(value, int | float) else 0
    return 100 if delay <= 10 else delay


def _on_white(frame: Image.Image) -> Image.Image:
    has_alpha = frame.mode in ("RGBA", "LA", "PA") or "transparency" in frame.info
    if not has_alpha:
        return frame.convert("RGB")
    rgba = frame.convert("RGBA")
    background = Image.new("RGB", rgba.size, _WHITE)
    background.paste(rgba, mask=rgba.getchannel("A"))
    return background


# -- dispatch ---------------------------------------------------------------------------


def encode(src: Path, out_dir: Path, timeout_s: float = 600) -> EncodedMedia:
    """Probe a file and encode it as what it turns out to be."""
    started = time.monotonic()
    info = probe(src, timeout_s)
    remaining = timeout_s - (time.monotonic() - started)
    if info.kind == "video":
        result = encode_video(src, out_dir, remaining, info=info)
    elif info.kind == "animation":
        result = encode_animation(src, out_dir, remaining)
    else:
        result = encode_image(src, out_dir, remaining)

    logger.debug(
        "encoded %s %s %dx%d -> %dx%d %d bytes in %.2f s",
        info.kind,
        info.container,
        info.width,
        info.height,
        result.width,
        result.height,
        result.byte_size,
        time.monotonic() - started,
    )
    return result
