"""The message bus: a small interface and its backends (in-process, Kafka)."""

from app.bus.base import Bus, BusUnavailable, Delivery, Event
from app.bus.factory import build_bus

__all__ = ["Bus", "BusUnavailable", "Delivery", "Event", "build_bus"]
