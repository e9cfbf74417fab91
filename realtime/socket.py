"""The /ws endpoint: one websocket per open page, fed by this replica's hub."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any
from urllib.parse import urlsplit

from litestar import WebSocket, websocket
from litestar.exceptions import WebSocketDisconnect

from app.accounts.service import resolve_session
from app.accounts.sessions import SESSION_COOKIE
from realtime.hub import Connection, Hub

logger = logging.getLogger(__name__)

PING_INTERVAL_S = 20.0
"""Keeps idle sockets alive through proxies (Nginx's read timeout is far longer)."""

CLOSE_UNAUTHENTICATED = 4401
CLOSE_FORBIDDEN_ORIGIN = 4403
CLOSE_TOO_SLOW = 4008


@websocket("/ws", name="feed-socket")
async def feed_socket(
    socket: WebSocket, hub: Hub, replica_id: str, last: int | None = None
) -> None:
    # Refusals accept first and then close with a code, so the page learns why (a close
    # before accepting reaches the browser only as a failed handshake).
    if not _same_origin(socket):
        await _refuse(socket, CLOSE_FORBIDDEN_ORIGIN, "cross-origin websocket refused")
        return
    info = await resolve_session(socket.cookies.get(SESSION_COOKIE))
    if info is None:
        await _refuse(socket, CLOSE_UNAUTHENTICATED, "log in first")
        return

    await socket.accept()
    connection = hub.connect(info.user.id)
    try:
        await socket.send_json({"type": "hello", "replica": replica_id, "last_id": hub.last_id})
        replayed_up_to = await _replay(socket, hub, info.user.id, last)
        await _pump(socket, connection, replayed_up_to)
    except WebSocketDisconnect:
        pass
    finally:
        hub.disconnect(connection)


async def _refuse(socket: WebSocket, code: int, reason: str) -> None:
    await socket.accept()
    await socket.close(code=code, reason=reason)


async def _replay(socket: WebSocket, hub: Hub, user_id: int, last: int | None) -> int | None:
    """Send what came after the client's last event; returns the last position sent."""
    if last is None:
        return None
    missed = hub.replay_after(last, user_id)
    if missed is None:
        await socket.send_json(
            {"type": "reload", "reason": "Too much happened while you were away to catch up live."}
        )
        return None
    for message in missed:
        await socket.send_json(message)
    logger.debug("replayed %d messages after position %s user_id=%s", len(missed), last, user_id)
    return missed[-1]["id"] if missed else last


async def _pump(socket: WebSocket, connection: Connection, skip_up_to: int | None) -> None:
    """Send queued messages and listen for the client at once; either ending stops both."""
    sender = asyncio.create_task(_send_loop(socket, connection, skip_up_to))
    listener = asyncio.create_task(_listen_loop(socket))
    overflow = asyncio.create_task(connection.overflowed.wait())
    try:
        await asyncio.wait({sender, listener, overflow}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in (sender, listener, overflow):
            task.cancel()
        for task in (sender, listener, overflow):
            with contextlib.suppress(asyncio.CancelledError, WebSocketDisconnect, Exception):
                await task

    if connection.overflowed.is_set():
        await socket.close(code=CLOSE_TOO_SLOW, reason="too far behind; reconnect to catch up")


async def _send_loop(socket: WebSocket, connection: Connection, skip_up_to: int | None) -> None:
    while True:
        try:
            message: dict[str, Any] = await asyncio.wait_for(
                connection.queue.get(), PING_INTERVAL_S
            )
        except TimeoutError:
            await socket.send_json({"type": "ping"})
            continue
        # Already sent during replay: the queue filled while the replay ran.
        if skip_up_to is not None and message["id"] <= skip_up_to:
            continue
        await socket.send_json(message)


async def _listen_loop(socket: WebSocket) -> None:
    while True:
        await socket.receive_data(mode="text")


def _same_origin(socket: WebSocket) -> bool:
    # Browsers send Origin on websocket handshakes; refusing foreign ones stops other sites
    # from opening a socket with the user's cookie.
    origin = socket.headers.get("origin")
    if origin is None:
        return True
    # Nginx passes the browser's Host through unchanged, so Host is what the page used.
    host = socket.headers.get("host", "")
    return urlsplit(origin).netloc == host
