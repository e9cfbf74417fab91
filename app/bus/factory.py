"""Builds the configured bus backend."""

from __future__ import annotations

from app.bus.base import Bus
from app.settings import BusSettings


def build_bus(settings: BusSettings, client_id: str) -> Bus:
    """The bus named by settings.backend, not yet started."""
    if settings.backend == "memory":
        from app.bus.memory import MemoryBus

        return MemoryBus()

    if settings.backend == "kafka":
        from app.bus.kafka import KafkaBus

        return KafkaBus(settings, client_id)

    raise ValueError(f"MURMUR_BUS_BACKEND must be 'memory' or 'kafka', got {settings.backend!r}")
