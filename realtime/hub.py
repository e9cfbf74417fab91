"""The websocket fan-out hub of one web replica.

One upstream subscription (see realtime.fanout) feeds the hub; the hub puts each message
on the bounded queue of every local connection that should get it. A connection whose
queue is full is closed rather than allowed to grow without bound (overflow policy:
disconnect the slow client); its browser reconnects and replays what it missed.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

logger = logging.getLogger(__name__)

QUEUE_SIZE = 256
REPLAY_WINDOW = 2000
"""Recent messages each replica keeps for clients that reconnect after a drop."""


@dataclass(eq=False)
class Connection:
    user_id: int
    queue: asyncio.Queue[dict[str, Any]] = field(
        default_factory=lambda: asyncio.Queue(maxsize=QUEUE_SIZE)
    )
    overflowed: asyncio.Event = field(default_factory=asyncio.Event)


@dataclass(frozen=True)
class Audience:
    """Who gets a message: everyone, only one user, or everyone but one user."""

    only_user: int | None = None
    except_user: int | None = None

    def includes(self, user_id: int) -> bool:
        if self.only_user is not None:
            return user_id == self.only_user
        return user_id != self.except_user


EVERYONE = Audience()


@dataclass(frozen=True)
class _Recent:
    position: int
    audience: Audience
    message: dict[str, Any]


@runtime_checkable
class Hub(Protocol):
    def connect(self, user_id: int) -> Connection: ...

    def disconnect(self, connection: Connection) -> None: ...

    def publish(
        self, position: int, message: dict[str, Any], audience: Audience = EVERYONE
    ) -> None:
        """Deliver to the local connections of the audience and remember for replay."""
        ...

    def replay_after(self, position: int, user_id: int) -> list[dict[str, Any]] | None:
        """Messages after position for user_id, or None if the window no longer reaches back."""
        ...

    @property
    def last_position(self) -> int | None: ...

    def start_window(self, position: int) -> None: ...


class LocalHub:
    def __init__(self, window: int = REPLAY_WINDOW) -> None:
        self._connections: set[Connection] = set()
        self._recent: deque[_Recent] = deque(maxlen=window)
        self._window_start: int | None = None
        """Every message at or after this position is still in _recent."""

    @property
    def connection_count(self) -> int:
        return len(self._connections)

    @property
    def last_position(self) -> int | None:
        return self._recent[-1].position if self._recent else None

    def start_window(self, position: int) -> None:
        """The upstream subscription begins at position; nothing earlier can be replayed."""
        self._window_start = position

    def connect(self, user_id: int) -> Connection:
        connection = Connection(user_id=user_id)
        self._connections.add(connection)
        logger.debug("socket connected user_id=%s sockets=%d", user_id, len(self._connections))
        return connection

    def disconnect(self, connection: Connection) -> None:
        self._connections.discard(connection)

    def publish(
        self, position: int, message: dict[str, Any], audience: Audience = EVERYONE
    ) -> None:
        message = {**message, "id": position}
        if len(self._recent) == self._recent.maxlen:
            self._window_start = self._recent[0].position + 1
        self._recent.append(_Recent(position, audience, message))

        for connection in list(self._connections):
            if not audience.includes(connection.user_id):
                continue
            try:
                connection.queue.put_nowait(message)
            except asyncio.QueueFull:
                logger.warning("socket too slow, disconnecting user_id=%s", connection.user_id)
                connection.overflowed.set()
                self._connections.discard(connection)

    def replay_after(self, position: int, user_id: int) -> list[dict[str, Any]] | None:
        if self._window_start is None or position + 1 < self._window_start:
            return None
        return [
            r.message
            for r in self._recent
            if r.position > position and r.audience.includes(user_id)
        ]
