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
MESSAGES_PER_EVENT = 4
"""Most socket messages one bus event becomes; spaces out message ids."""


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
    message_id: int
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

    def replay_after(self, last_id: int, user_id: int) -> list[dict[str, Any]] | None:
        """Messages after last_id for user_id, or None if the window no longer reaches back."""
        ...

    @property
    def last_id(self) -> int | None: ...

    def start_window(self, position: int) -> None: ...


class LocalHub:
    """Hub of one replica, with a bounded window of recent messages for replay.

    Message ids are ``position * MESSAGES_PER_EVENT + n``: one bus event can become several
    messages (the post for everyone, a notification for its author), and each needs an id
    of its own so a client can say exactly which was the last it saw. Every replica reads
    the same topic, so the ids agree across replicas.
    """

    def __init__(self, window: int = REPLAY_WINDOW) -> None:
        self._connections: set[Connection] = set()
        self._recent: deque[_Recent] = deque(maxlen=window)
        self._window_start: int | None = None
        """Every message with an id at or after this one is still in _recent."""
        self._next_in_event: tuple[int, int] = (-1, 0)

    @property
    def connection_count(self) -> int:
        return len(self._connections)

    @property
    def last_id(self) -> int | None:
        """Id of the newest message, or just before the window when there is none yet."""
        if self._recent:
            return self._recent[-1].message_id
        return None if self._window_start is None else self._window_start - 1

    def start_window(self, position: int) -> None:
        """The upstream subscription begins at position; nothing earlier can be replayed."""
        self._window_start = position * MESSAGES_PER_EVENT

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
        message_id = self._assign_id(position)
        message = {**message, "id": message_id}
        if len(self._recent) == self._recent.maxlen:
            self._window_start = self._recent[0].message_id + 1
        self._recent.append(_Recent(message_id, audience, message))

        for connection in list(self._connections):
            if not audience.includes(connection.user_id):
                continue
            try:
                connection.queue.put_nowait(message)
            except asyncio.QueueFull:
                logger.warning("socket too slow, disconnecting user_id=%s", connection.user_id)
                connection.overflowed.set()
                self._connections.discard(connection)

    def replay_after(self, last_id: int, user_id: int) -> list[dict[str, Any]] | None:
        if self._window_start is None or last_id + 1 < self._window_start:
            return None
        return [
            r.message
            for r in self._recent
            if r.message_id > last_id and r.audience.includes(user_id)
        ]

    def _assign_id(self, position: int) -> int:
        current, used = self._next_in_event
        used = used + 1 if position == current else 1
        if used > MESSAGES_PER_EVENT:
            raise ValueError(
                f"event at position {position} produced more than {MESSAGES_PER_EVENT} messages"
            )
        self._next_in_event = (position, used)
        return position * MESSAGES_PER_EVENT + used - 1
