"""A tiny HTTP liveness endpoint for standalone encoders (GET /healthz)."""

from __future__ import annotations

import asyncio
import json
import time

from encoder.worker import EncoderWorker


async def serve_health(port: int, worker: EncoderWorker) -> asyncio.Server:
    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            request_line = await asyncio.wait_for(reader.readline(), 5)
            path = request_line.split(b" ")[1] if request_line.count(b" ") >= 2 else b""
            ok = path == b"/healthz"
            body = json.dumps(
                {"status": "ok", "idle_s": round(time.monotonic() - worker.last_progress, 1)}
                if ok
                else {"status": "not found"}
            ).encode()
            status = b"200 OK" if ok else b"404 Not Found"
            writer.write(
                b"HTTP/1.1 "
                + status
                + b"\r\nContent-Type: application/json\r\nConnection: close\r\n"
                + f"Content-Length: {len(body)}\r\n\r\n".encode()
                + body
            )
            await writer.drain()
        except (TimeoutError, ConnectionError):
            pass
        finally:
            writer.close()

    return await asyncio.start_server(answer, "127.0.0.1", port)
