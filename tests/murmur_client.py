"""A small HTTP + websocket client for Murmur, used by the tests as a browser would be."""

from __future__ import annotations

import asyncio
import contextlib
import json
import secrets
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import websockets

PASSWORD = "correct horse battery"


class MurmurClient:
    """One user's session against a running Murmur (direct, or through Nginx)."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url.rstrip("/")
        self.http = httpx.AsyncClient(base_url=self.base_url, timeout=60, follow_redirects=False)
        self.username = ""

    async def close(self) -> None:
        await self.http.aclose()

    async def csrf(self) -> str:
        response = await self.http.get("/api/v1/csrf")
        response.raise_for_status()
        return str(response.json()["token"])

    async def headers(self) -> dict[str, str]:
        return {"X-CSRF-Token": await self.csrf()}

    async def sign_up(self, username: str | None = None) -> dict[str, Any]:
        self.username = username or f"u_{secrets.token_hex(5)}"
        response = await self.http.post(
            "/api/v1/users",
            json={"username": self.username, "password": PASSWORD},
            headers=await self.headers(),
        )
        assert response.status_code == 201, response.text
        return dict(response.json())

    async def upload(self, path: Path) -> httpx.Response:
        async def body() -> Any:
            with path.open("rb") as handle:
                while chunk := handle.read(256 * 1024):
                    yield chunk

        return await self.http.post(
            "/api/v1/uploads",
            content=body(),
            headers={
                **await self.headers(),
                "Content-Type": "application/octet-stream",
                "Content-Length": str(path.stat().st_size),
            },
        )

    async def post(
        self, text: str = "", files: list[Path] | None = None, alts: list[str] | None = None
    ) -> dict[str, Any]:
        """Upload files and create a post; returns the created post JSON."""
        attachments = []
        for index, path in enumerate(files or []):
            response = await self.upload(path)
            assert response.status_code == 201, response.text
            alt = alts[index] if alts else ""
            attachments.append({"upload_id": response.json()["id"], "alt_text": alt})
        response = await self.http.post(
            "/api/v1/posts",
            json={"text": text, "attachments": attachments},
            headers=await self.headers(),
        )
        assert response.status_code == 201, response.text
        return dict(response.json()["post"])

    async def get_post(self, post_id: int) -> dict[str, Any]:
        response = await self.http.get(f"/api/v1/posts/{post_id}")
        response.raise_for_status()
        return dict(response.json())

    async def wait_for_post(
        self, post_id: int, status: str = "ready", timeout: float = 120
    ) -> dict[str, Any]:
        """Poll the API until the post reaches status (the encoder is asynchronous)."""
        deadline = time.monotonic() + timeout
        while True:
            post = await self.get_post(post_id)
            if post["status"] == status:
                return post
            if post["status"] != "processing" or time.monotonic() > deadline:
                raise AssertionError(f"post {post_id} is {post['status']}, wanted {status}: {post}")
            await asyncio.sleep(0.2)

    async def follow(self, username: str, on: bool = True) -> httpx.Response:
        method = self.http.put if on else self.http.delete
        return await method(f"/api/v1/users/{username}/follow", headers=await self.headers())

    async def like(self, post_id: int, on: bool = True) -> httpx.Response:
        method = self.http.put if on else self.http.delete
        return await method(f"/api/v1/posts/{post_id}/like", headers=await self.headers())

    async def comment(self, post_id: int, text: str) -> httpx.Response:
        return await self.http.post(
            f"/api/v1/posts/{post_id}/comments", json={"text": text}, headers=await self.headers()
        )

    def ws_url(self, last: int | None = None) -> str:
        url = self.base_url.replace("http://", "ws://").replace("https://", "wss://") + "/ws"
        return url if last is None else f"{url}?last={last}"

    def cookie_header(self) -> str:
        return "; ".join(f"{c.name}={c.value}" for c in self.http.cookies.jar)

    async def open_socket(self, last: int | None = None) -> LiveSocket:
        socket = await websockets.connect(
            self.ws_url(last), additional_headers={"Cookie": self.cookie_header()}, open_timeout=10
        )
        live = LiveSocket(socket)
        hello = await live.next_message(lambda m: m["type"] == "hello")
        live.hello = hello
        return live


class LiveSocket:
    """A websocket that records every message, with a wait-for-a-matching-message helper."""

    def __init__(self, socket: websockets.ClientConnection) -> None:
        self.socket = socket
        self.seen: list[dict[str, Any]] = []
        self.hello: dict[str, Any] = {}

    async def next_message(
        self, match: Callable[[dict[str, Any]], bool], timeout: float = 60
    ) -> dict[str, Any]:
        """The first message (already seen or still to come) that matches."""
        for message in self.seen:
            if match(message):
                return message
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(
                    f"no matching websocket message within {timeout}s; saw {self.seen}"
                )
            raw = await asyncio.wait_for(self.socket.recv(), remaining)
            message = json.loads(raw)
            self.seen.append(message)
            if match(message):
                return message

    async def close(self) -> None:
        await self.socket.close()


@contextlib.asynccontextmanager
async def client_factory(base_url: str) -> AsyncIterator[Callable[..., Awaitable[MurmurClient]]]:
    """Makes clients of base_url (signed up unless asked not to) and closes them after."""
    clients: list[MurmurClient] = []

    async def make(sign_up: bool = True) -> MurmurClient:
        client = MurmurClient(base_url)
        clients.append(client)
        if sign_up:
            await client.sign_up()
        return client

    try:
        yield make
    finally:
        for client in clients:
            await client.close()
