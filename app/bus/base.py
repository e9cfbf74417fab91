"""The bus interface every backend implements.

Two kinds of traffic cross it:

- jobs: consumed by a group whose members share the work (``consume_group``); a delivery
  is committed only after the work it covers is durably done, so a crash means a redo.
- events: every subscriber sees every event (``subscribe``), each with a position that
  increases along the topic, so a client can ask for what came after the last one it saw.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable


class BusUnavailable(Exception):
    """The bus could not take or give a message right now; the caller may retry later."""


@dataclass(frozen=True)
class Event:
    """One message as a subscriber sees it."""

    topic: str
    key: str
    value: dict[str, Any]
    position: int
    """Monotonic position within the topic (a Kafka offset on a one-partition topic)."""
    produced_at_ms: float = 0.0
    """Wall-clock time the producer sent it (Kafka's CreateTime), for latency tracing."""


class Delivery(Protocol):
    """One message handed to a member of a consumer group."""

    key: str
    value: dict[str, Any]

    async def commit(self) -> None:
        """Mark this message (and everything before it on its partition) as done."""
        ...


@runtime_checkable
class Bus(Protocol):
    async def start(self) -> None:
        """Connect; create topics that are missing."""
        ...

    async def stop(self) -> None:
        """Flush and disconnect."""
        ...

    async def publish(self, topic: str, key: str, value: dict[str, Any]) -> None:
        """Send one message and wait until the bus has durably taken it.

        Raises BusUnavailable if it cannot be sent.
        """
        ...

    def consume_group(self, topic: str, group: str) -> AsyncIterator[Delivery]:
        """Messages of topic, shared among every consumer of the same group."""
        ...

    def subscribe(self, topic: str, from_position: int | None = None) -> AsyncIterator[Event]:
        """Every message of topic from from_position on (default: from now on)."""
        ...

    async def end_position(self, topic: str) -> int:
        """Position the next message published to topic will get."""
        ...

    async def check(self) -> None:
        """Raise if the bus cannot be reached (used by /readyz)."""
        ...
