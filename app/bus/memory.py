"""An in-process bus: the embedded default.

Each topic is an in-memory log. Consumer groups share one cursor per group, so members
split the work; subscribers each keep their own cursor, so every one sees every message.
Nothing survives a restart: the database outbox is what makes jobs durable.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from app.bus.base import Event

logger = logging.getLogger(__name__)

_RETAINED = 10_000
"""Messages kept per topic beyond what groups still need, for late subscribers."""


@dataclass
class _Group:
    cursor: int
    redeliver: deque[Event] = field(default_factory=deque)


def _fresh_base() -> int:
    # Positions continue from the clock rather than from zero, so a restarted process never
    # reuses the positions (and so the socket message ids) that open pages have already seen.
    return int(time.time() * 1000)


@dataclass
class _Topic:
    messages: deque[Event] = field(default_factory=deque)
    base: int = field(default_factory=_fresh_base)
    groups: dict[str, _Group] = field(default_factory=dict)
    changed: asyncio.Condition = field(default_factory=asyncio.Condition)

    @property
    def end(self) -> int:
        return self.base + len(self.messages)

    def at(self, position: int) -> Event:
        return self.messages[position - self.base]

    def trim(self) -> None:
        keep_from = min([g.cursor for g in self.groups.values()] + [self.end - _RETAINED])
        while self.messages and self.base < keep_from:
            self.messages.popleft()
            self.base += 1


class MemoryDelivery:
    def __init__(self, group: _Group, event: Event) -> None:
        self.key = event.key
        self.value = event.value
        self.event = event
        self.committed = False
        self._group = group

    async def commit(self) -> None:
        self.committed = True


class MemoryBus:
    def __init__(self) -> None:
        self._topics: dict[str, _Topic] = {}

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        return None

    async def check(self) -> None:
        return None

    def _topic(self, name: str) -> _Topic:
        return self._topics.setdefault(name, _Topic())

    async def publish(self, topic: str, key: str, value: dict[str, Any]) -> None:
        log = self._topic(topic)
        async with log.changed:
            event = Event(topic, key, value, position=log.end, produced_at_ms=time.time() * 1000)
            log.messages.append(event)
            log.trim()
            log.changed.notify_all()

    async def consume_group(self, topic: str, group: str) -> AsyncIterator[MemoryDelivery]:
        log = self._topic(topic)
        state = log.groups.setdefault(group, _Group(cursor=log.base))
        while True:
            event = await self._next_for_group(log, state)
            delivery = MemoryDelivery(state, event)
            try:
                yield delivery
            finally:
                if not delivery.committed:
                    # The consumer stopped before finishing: hand the message to another.
                    state.redeliver.append(event)

    async def subscribe(self, topic: str, from_position: int | None = None) -> AsyncIterator[Event]:
        log = self._topic(topic)
        cursor = log.end if from_position is None else max(from_position, log.base)
        while True:
            async with log.changed:
                await log.changed.wait_for(lambda start=cursor: start < log.end)
                batch = [log.at(p) for p in range(max(cursor, log.base), log.end)]
            for event in batch:
                yield event
            cursor = batch[-1].position + 1

    async def end_position(self, topic: str) -> int:
        return self._topic(topic).end

    async def _next_for_group(self, log: _Topic, state: _Group) -> Event:
        async with log.changed:
            await log.changed.wait_for(lambda: bool(state.redeliver) or state.cursor < log.end)
            if state.redeliver:
                return state.redeliver.popleft()
            event = log.at(state.cursor)
            state.cursor += 1
            log.trim()
            return event
