"""Test media made on the spot with ffmpeg and Pillow, so no big fixtures are committed.

Each generator writes one file into the folder it is given and returns its path. The
pictures carry marks that make orientation checkable: a red block in the top-left corner
and a blue block in the bottom-right corner of the picture *as it should be displayed*,
on a grey ground. ``corner_colours`` reads them back from any decoded frame.
"""

from __future__ import annotations

import io
import json
import os
import struct
import subprocess
from pathlib import Path
from typing import Any

import pillow_heif
from PIL import Image, ImageDraw

pillow_heif.register_heif_opener()

RED = (220, 20, 20)
BLUE = (20, 40, 220)
GREY = (128, 128, 128)
CAMERA_MAKE = "MurmurTestCam"
CAMERA_MODEL = "Model-X9 SecretLens"
XMP_MARK = "murmur-xmp-secret"
GPS_LATITUDE = (52.0, 31.0, 12.5)
GPS_LONGITUDE = (13.0, 24.0, 18.2)
VIDEO_LOCATION = "+52.5200+013.4050/"

_TIMEOUT_S = 180


# -- helpers ----------------------------------------------------------------------------


def ffmpeg(*args: str, stdin: bytes | None = None) -> None:
    """Run ffmpeg quietly; fail loudly with its stderr if it fails."""
    argv = ["ffmpeg", "-hide_banner", "-loglevel", "error", "-y", *args]
    if stdin is None:
        argv.insert(1, "-nostdin")
    done = subprocess.run(argv, input=stdin, capture_output=True, timeout=_TIMEOUT_S)
    if done.returncode != 0:
        stderr = done.stderr.decode("utf-8", "replace").strip()[-800:]
        raise RuntimeError(f"ffmpeg {' '.join(args)} failed: {stderr}")


def ffprobe(path: Path) -> dict[str, Any]:
    """ffprobe's JSON for streams and format (side data included)."""
    argv = [
        "ffprobe", "-v", "error", "-print_format", "json",
        "-show_format", "-show_streams", str(path),
    ]  # fmt: skip
    done = subprocess.run(argv, capture_output=True, text=True, timeout=_TIMEOUT_S, check=True)
    return json.loads(done.stdout)


def video_frame(path: Path, at_s: float = 0.0, autorotate: bool = True) -> Image.Image:
    """One decoded frame as RGB: as a player shows it, or as stored if not ``autorotate``."""
    done = subprocess.run(
        [
            "ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error",
            *([] if autorotate else ["-noautorotate"]),
            "-ss", f"{at_s:.3f}", "-i", str(path),
            "-frames:v", "1", "-f", "image2pipe", "-c:v", "png", "pipe:1",
        ],
        capture_output=True,
        timeout=_TIMEOUT_S,
        check=True,
    )  # fmt: skip
    return Image.open(io.BytesIO(done.stdout)).convert("RGB")


def corner_colours(img: Image.Image) -> dict[str, tuple[int, int, int]]:
    """Mean colour of a small patch near each corner, inside where the marks are drawn."""
    rgb = img.convert("RGB")
    width, height = rgb.size
    patch = max(2, min(width, height) // 40)
    inset = max(1, min(width, height) // 40)
    spots = {
        "top_left": (inset, inset),
        "top_right": (width - inset - patch, inset),
        "bottom_left": (inset, height - inset - patch),
        "bottom_right": (width - inset - patch, height - inset - patch),
    }
    colours = {}
    for name, (x, y) in spots.items():
        region = rgb.crop((x, y, x + patch, y + patch)).resize((1, 1), Image.Resampling.BOX)
        pixel = region.getpixel((0, 0))
        assert isinstance(pixel, tuple), pixel
        colours[name] = (int(pixel[0]), int(pixel[1]), int(pixel[2]))
    return colours


def is_close(colour: Any, expected: tuple[int, ...], tolerance: int = 40) -> bool:
    """Each channel within ``tolerance``; a pixel may have more channels than ``expected``."""
    return all(abs(a - b) <= tolerance for a, b in zip(colour, expected, strict=False))


def marked_picture(width: int, height: int) -> Image.Image:
    """Grey picture, red block top-left, blue block bottom-right (a fifth of the short side)."""
    img = Image.new("RGB", (width, height), GREY)
    block = max(4, min(width, height) // 5)
    draw = ImageDraw.Draw(img)
    draw.rectangle((0, 0, block - 1, block - 1), fill=RED)
    draw.rectangle((width - block, height - block, width - 1, height - 1), fill=BLUE)
    return img


def mp4_top_level_boxes(path: Path) -> list[str]:
    """Names of the top-level ISO-BMFF boxes in file order (moov before mdat = faststart)."""
    names = []
    size_total = path.stat().st_size
    with path.open("rb") as file:
        offset = 0
        while offset + 8 <= size_total:
            file.seek(offset)
            size, kind = struct.unpack(">I4s", file.read(8))
            if size == 1:
                size = struct.unpack(">Q", file.read(8))[0]
            elif size == 0:
                size = size_total - offset
            if size < 8:
                break
            names.append(kind.decode("latin-1"))
            offset += size
    return names


def _video_marks_filter(width: int, height: int) -> str:
    """lavfi graph: grey frame, moving test pattern in the middle, red/blue corner marks.

    The pattern covers the middle three quarters so the corners hold only grey and the
    marks, whichever way a frame is turned.
    """
    block = max(4, min(width, height) // 5)
    inner_w, inner_h = width * 3 // 4 // 2 * 2, height * 3 // 4 // 2 * 2
    return (
        f"testsrc2=s={inner_w}x{inner_h}:r=30[pattern];"
        f"color=c=0x808080:s={width}x{height}:r=30[ground];"
        f"[ground][pattern]overlay=x={(width - inner_w) // 2}:y={(height - inner_h) // 2}"
        ":shortest=1,"
        f"drawbox=x=0:y=0:w={block}:h={block}:color=0xDC1414:t=fill,"
        f"drawbox=x={width - block}:y={height - block}:w={block}:h={block}:color=0x1428DC:t=fill"
    )


def _exif_with_gps(orientation: int = 1) -> Image.Exif:
    exif = Image.Exif()
    exif[0x0112] = orientation
    exif[0x010F] = CAMERA_MAKE
    exif[0x0110] = CAMERA_MODEL
    exif[0x0132] = "2026:06:01 12:00:00"
    gps = exif.get_ifd(0x8825)
    gps[1] = "N"
    gps[2] = GPS_LATITUDE
    gps[3] = "E"
    gps[4] = GPS_LONGITUDE
    return exif


def _xmp_packet() -> bytes:
    return (
        '<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?>'
        '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF '
        'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        f'<rdf:Description rdf:about="" xmlns:m="urn:murmur">{XMP_MARK}</rdf:Description>'
        '</rdf:RDF></x:xmpmeta><?xpacket end="w"?>'
    ).encode()


# -- still images -----------------------------------------------------------------------


def phone_photo(directory: Path, width: int = 2400, height: int = 1800) -> Path:
    """A JPEG as a phone held upright writes it: landscape pixels, EXIF Orientation=6.

    Displayed (turned 90 degrees clockwise) it is ``height`` wide and ``width`` tall with
    the marks in place. Carries camera make/model, GPS position and an XMP packet.
    """
    upright = marked_picture(height, width)
    stored = upright.transpose(Image.Transpose.ROTATE_90)  # undone by orientation 6
    path = directory / "IMG_0001.jpg"
    stored.save(path, "JPEG", quality=90, exif=_exif_with_gps(6).tobytes(), xmp=_xmp_packet())
    return path


def small_photo(directory: Path, width: int = 640, height: int = 480) -> Path:
    """A plain upright JPEG smaller than every limit (nothing to scale)."""
    path = directory / f"small_{width}x{height}.jpg"
    marked_picture(width, height).save(path, "JPEG", quality=90)
    return path


def png_with_alpha(directory: Path, width: int = 800, height: int = 600) -> Path:
    """RGBA PNG: transparent ground, opaque red block top-left, half-transparent blue band."""
    img = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    draw = ImageDraw.Draw(img)
    block = min(width, height) // 5
    draw.rectangle((0, 0, block - 1, block - 1), fill=(*RED, 255))
    draw.rectangle((0, height // 2, width - 1, height // 2 + block), fill=(*BLUE, 128))
    path = directory / "logo.png"
    img.save(path, "PNG")
    return path


def opaque_rgba_png(directory: Path, width: int = 400, height: int = 300) -> Path:
    """An RGBA PNG whose alpha is 255 everywhere, as screenshot tools often save."""
    path = directory / "screenshot.png"
    marked_picture(width, height).convert("RGBA").save(path, "PNG")
    return path


def grey16_png(directory: Path, width: int = 320, height: int = 240) -> Path:
    """16-bit greyscale PNG: left half at 25% grey, right half at 75% grey."""
    half = width // 2
    row = struct.pack("<H", 16384) * half + struct.pack("<H", 49152) * (width - half)
    img = Image.frombytes("I;16", (width, height), row * height)
    path = directory / "grey16.png"
    img.save(path, "PNG")
    return path


def webp_photo(directory: Path, width: int = 640, height: int = 480) -> Path:
    path = directory / "photo.webp"
    marked_picture(width, height).save(path, "WEBP", quality=90, exif=_exif_with_gps().tobytes())
    return path


def still_gif(directory: Path, width: int = 200, height: int = 150) -> Path:
    path = directory / "still.gif"
    marked_picture(width, height).save(path, "GIF")
    return path


def cmyk_jpeg(directory: Path, width: int = 320, height: int = 240) -> Path:
    """A CMYK JPEG (as print workflows export) with no profile: pure red ink, C0 M100 Y100."""
    path = directory / "print.jpg"
    Image.new("CMYK", (width, height), (0, 255, 255, 0)).save(path, "JPEG", quality=95)
    return path


def swapped_primaries_icc() -> bytes:
    """An RGB display profile whose red and green primaries are sRGB's green and red.

    Pixel (255, 0, 0) in a picture tagged with it means sRGB green, so a converter that
    honours the profile turns red into green, one that ignores it leaves red.
    """
    red, green, blue = (0.4361, 0.2225, 0.0139), (0.3851, 0.7169, 0.0971), (0.1431, 0.0606, 0.7141)
    d50 = (0.9642, 1.0, 0.8249)

    def s15(value: float) -> bytes:
        return struct.pack(">i", round(value * 65536))

    def xyz(values: tuple[float, float, float]) -> bytes:
        return b"XYZ \0\0\0\0" + b"".join(s15(v) for v in values)

    def text_desc(text: str) -> bytes:
        ascii_text = text.encode() + b"\0"
        body = b"desc\0\0\0\0" + struct.pack(">I", len(ascii_text)) + ascii_text
        return body + b"\0" * 8 + b"\0\0\0" + b"\0" * 67

    gamma = b"curv\0\0\0\0" + struct.pack(">IH", 1, 0x0233) + b"\0\0"  # gamma 2.2
    tags = [
        (b"desc", text_desc("Murmur swapped red/green")),
        (b"cprt", b"text\0\0\0\0" + b"Public domain test profile\0"),
        (b"wtpt", xyz(d50)),
        (b"rXYZ", xyz(green)),
        (b"gXYZ", xyz(red)),
        (b"bXYZ", xyz(blue)),
        (b"rTRC", gamma),
        (b"gTRC", gamma),
        (b"bTRC", gamma),
    ]
    offset = 128 + 4 + 12 * len(tags)
    table, data = b"", b""
    for signature, body in tags:
        table += signature + struct.pack(">II", offset + len(data), len(body))
        data += body + b"\0" * (-len(body) % 4)
    size = offset + len(data)
    header = (
        struct.pack(">I", size)
        + b"\0\0\0\0"
        + struct.pack(">I", 0x02100000)
        + b"mntrRGB XYZ "
        + struct.pack(">6H", 2026, 1, 1, 0, 0, 0)
        + b"acsp"
        + b"\0" * 24
        + struct.pack(">I", 0)
        + b"".join(s15(v) for v in d50)
        + b"\0" * 48
    )
    assert len(header) == 128, len(header)
    return header + struct.pack(">I", len(tags)) + table + data


def icc_tagged_jpeg(directory: Path, width: int = 320, height: int = 240) -> Path:
    """A pure-red JPEG tagged with ``swapped_primaries_icc``: it should display green."""
    path = directory / "wide_gamut.jpg"
    Image.new("RGB", (width, height), (255, 0, 0)).save(
        path, "JPEG", quality=95, icc_profile=swapped_primaries_icc()
    )
    return path


def heic_photo(directory: Path, width: int = 800, height: int = 600) -> Path:
    """An iPhone-style HEIC with GPS EXIF and orientation 6 (pillow-heif stores it as irot)."""
    upright = marked_picture(height, width)
    stored = upright.transpose(Image.Transpose.ROTATE_90)
    path = directory / "IMG_0002.heic"
    stored.save(path, "HEIF", quality=90, exif=_exif_with_gps(6).tobytes())
    return path


def decompression_bomb_png(directory: Path, side: int = 10_000) -> Path:
    """A 1-bit PNG of side x side pixels (100 MP by default) that is a few kilobytes."""
    path = directory / "bomb.png"
    Image.new("1", (side, side), 0).save(path, "PNG", optimize=False)
    return path


def truncated_jpeg(directory: Path) -> Path:
    """The first third of a real JPEG: valid header, missing picture data."""
    full = small_photo(directory, 640, 480).read_bytes()
    path = directory / "cut.jpg"
    path.write_bytes(full[: len(full) // 3])
    return path


def text_named_jpg(directory: Path) -> Path:
    """A text file that claims to be a photo by its name."""
    path = directory / "photo.jpg"
    path.write_text("Dear diary,\nthis is not a photo at all.\n" * 20, encoding="utf-8")
    return path


# -- animations -------------------------------------------------------------------------

ANIMATION_DELAYS_MS = (100, 200, 100, 50, 100, 300)


def _animation_frames(width: int, height: int, count: int) -> list[Image.Image]:
    """Frames on a transparent ground: a red block moving right, a blue one fixed."""
    frames = []
    block = max(4, min(width, height) // 5)
    for index in range(count):
        frame = Image.new("RGBA", (width, height), (0, 0, 0, 0))
        draw = ImageDraw.Draw(frame)
        x = index * (width - block) // max(1, count - 1)
        draw.rectangle((x, 0, x + block - 1, block - 1), fill=(*RED, 255))
        draw.rectangle((width - block, height - block, width - 1, height - 1), fill=(*BLUE, 255))
        frames.append(frame)
    return frames


def animated_gif(
    directory: Path,
    width: int = 161,
    height: int = 121,
    delays_ms: tuple[int, ...] = ANIMATION_DELAYS_MS,
) -> Path:
    """A looping GIF with transparency and uneven frame delays (odd size on purpose)."""
    frames = _animation_frames(width, height, len(delays_ms))
    path = directory / "reaction.gif"
    frames[0].save(
        path,
        "GIF",
        save_all=True,
        append_images=frames[1:],
        duration=list(delays_ms),
        loop=0,
        disposal=2,
    )
    return path


def animated_webp(
    directory: Path,
    width: int = 160,
    height: int = 120,
    delays_ms: tuple[int, ...] = ANIMATION_DELAYS_MS,
) -> Path:
    frames = _animation_frames(width, height, len(delays_ms))
    path = directory / "sticker.webp"
    frames[0].save(
        path,
        "WEBP",
        save_all=True,
        append_images=frames[1:],
        duration=list(delays_ms),
        loop=0,
        quality=90,
    )
    return path


# -- videos -----------------------------------------------------------------------------


def landscape_video(
    directory: Path,
    seconds: float = 10,
    width: int = 1920,
    height: int = 1080,
    audio: bool = True,
    preset: str = "ultrafast",
    crf: int = 23,
    audio_channels: int = 2,
) -> Path:
    """H.264 (+ AAC 48 kHz) MP4 of the marked test pattern, with a filming location tag."""
    sound = f"_a{audio_channels}" if audio else ""
    path = directory / f"landscape_{width}x{height}_{seconds:g}s{sound}_{preset}.mp4"
    inputs = ["-f", "lavfi", "-i", _video_marks_filter(width, height)]
    audio_args = ["-an"]
    if audio:
        inputs += ["-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000"]
        audio_args = ["-c:a", "aac", "-b:a", "128k", "-ac", str(audio_channels)]
    ffmpeg(
        *inputs,
        "-t", f"{seconds:g}",
        "-c:v", "libx264", "-preset", preset, "-crf", str(crf), "-pix_fmt", "yuv420p",
        *audio_args,
        "-metadata", f"location={VIDEO_LOCATION}",
        str(path),
    )  # fmt: skip
    return path


def silent_video(directory: Path, seconds: float = 2, width: int = 320, height: int = 240) -> Path:
    """An H.264 MP4 with no audio stream at all."""
    return landscape_video(directory, seconds, width, height, audio=False)


def portrait_phone_video(
    directory: Path, seconds: float = 2, width: int = 1080, height: int = 1920
) -> Path:
    """What a phone held upright records: landscape frames plus a 90-degree rotation tag.

    ``width`` x ``height`` is the display size. The stored frames are that picture turned
    90 degrees counter-clockwise, and the track's display matrix says to turn it back
    clockwise (ffprobe reports rotation -90, as for iPhone and Android clips). In ffmpeg
    5.1 the CLI spelling that writes this matrix is ``-metadata:s:v:0 rotate=-90``; the
    result is checked with ffprobe so a different ffmpeg cannot silently change it.
    """
    stored = directory / f"portrait_{width}x{height}_stored.mp4"
    source = f"{_video_marks_filter(width, height)},transpose=cclock"
    ffmpeg(
        "-f", "lavfi", "-i", source,
        "-f", "lavfi", "-i", "sine=frequency=660:sample_rate=44100",
        "-t", f"{seconds:g}",
        "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
        "-c:a", "aac", "-ac", "1",
        "-metadata", f"location={VIDEO_LOCATION}",
        str(stored),
    )  # fmt: skip

    # The rotate override only reaches the display matrix on a stream copy in 5.1.
    path = directory / f"portrait_{width}x{height}.mp4"
    ffmpeg("-i", str(stored), "-map", "0", "-c", "copy", "-metadata:s:v:0", "rotate=-90", str(path))
    stored.unlink()

    video = next(s for s in ffprobe(path)["streams"] if s["codec_type"] == "video")
    rotations = [d.get("rotation") for d in video.get("side_data_list", [])]
    if rotations != [-90] or (video["width"], video["height"]) != (height, width):
        raise RuntimeError(
            f"expected {height}x{width} frames with display rotation -90, got "
            f"{video['width']}x{video['height']} with rotations {rotations}"
        )
    return path


def webm_video(directory: Path, seconds: float = 1, width: int = 320, height: int = 240) -> Path:
    """VP9 + Opus in WebM, as browsers record."""
    path = directory / "clip.webm"
    ffmpeg(
        "-f", "lavfi", "-i", _video_marks_filter(width, height),
        "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000",
        "-t", f"{seconds:g}",
        "-c:v", "libvpx-vp9", "-deadline", "realtime", "-cpu-used", "8", "-b:v", "300k",
        "-c:a", "libopus",
        str(path),
    )  # fmt: skip
    return path


def mov_video(directory: Path, seconds: float = 1, width: int = 320, height: int = 240) -> Path:
    """H.264 + AAC in a QuickTime .mov (ftyp brand 'qt  '), as iPhones save."""
    path = directory / "IMG_0003.MOV"
    ffmpeg(
        "-f", "lavfi", "-i", _video_marks_filter(width, height),
        "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000",
        "-t", f"{seconds:g}",
        "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
        "-c:a", "aac",
        "-f", "mov",
        str(path),
    )  # fmt: skip
    return path


def mkv_video(directory: Path, seconds: float = 1, width: int = 320, height: int = 240) -> Path:
    """MPEG-4 Part 2 video + MP3 audio in Matroska: codecs a browser cannot play."""
    path = directory / "clip.mkv"
    ffmpeg(
        "-f", "lavfi", "-i", _video_marks_filter(width, height),
        "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100",
        "-t", f"{seconds:g}",
        "-c:v", "mpeg4", "-q:v", "5",
        "-c:a", "libmp3lame",
        str(path),
    )  # fmt: skip
    return path


def odd_size_video(directory: Path, width: int = 321, height: int = 241, frames: int = 15) -> Path:
    """H.264 4:4:4 MP4 with odd dimensions (lavfi sources round sizes, so Pillow draws it)."""
    path = directory / f"odd_{width}x{height}.mp4"
    frame = marked_picture(width, height).tobytes()
    ffmpeg(
        "-f", "rawvideo", "-pix_fmt", "rgb24", "-video_size", f"{width}x{height}",
        "-framerate", "30", "-i", "pipe:0",
        "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv444p",
        str(path),
        stdin=frame * frames,
    )  # fmt: skip
    return path


def audio_only_m4a(directory: Path, seconds: float = 1) -> Path:
    """AAC sound in an MP4 container with no picture (a voice memo)."""
    path = directory / "memo.m4a"
    ffmpeg("-f", "lavfi", "-i", f"sine=duration={seconds:g}", "-c:a", "aac", str(path))
    return path


def corrupt_video(directory: Path) -> Path:
    """A real MP4 whose index is intact but whose media data is random bytes.

    It sniffs as MP4 and ffprobe reads its headers; decoding it fails.
    """
    source = landscape_video(directory, seconds=2, width=320, height=240, audio=True)
    data = bytearray(source.read_bytes())
    boxes = mp4_top_level_boxes(source)
    assert "mdat" in boxes, boxes
    start = data.find(b"mdat") - 4
    size = struct.unpack(">I", data[start : start + 4])[0]
    data[start + 8 : start + size] = os.urandom(size - 8)
    path = directory / "broken.mp4"
    path.write_bytes(bytes(data))
    return path


def truncated_video(directory: Path) -> Path:
    """The first 4 KB of an MP4 whose index is at the end: header only, no index."""
    source = landscape_video(directory, seconds=2, width=320, height=240, audio=False)
    path = directory / "upload_cut.mp4"
    path.write_bytes(source.read_bytes()[:4096])
    return path


def cut_short_video(directory: Path, seconds: float = 6) -> Path:
    """A faststart MP4 cut to its first fifth: the index promises far more than remains."""
    source = directory / "whole_faststart.mp4"
    ffmpeg(
        "-f", "lavfi", "-i", _video_marks_filter(320, 240), "-t", f"{seconds:g}",
        "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
        "-movflags", "+faststart", str(source),
    )  # fmt: skip
    path = directory / "cut_short.mp4"
    data = source.read_bytes()
    path.write_bytes(data[: len(data) // 5])
    return path
