"""The bus on Apache Kafka, through aiokafka.

- publish: one idempotent producer per bus, acks from every in-sync replica, JSON values.
- consume_group: a consumer in a Kafka consumer group with manual commits, so a job is
  marked done only after the worker says so. Delivery is at least once: a crashed member's
  job, or one whose partition moved in a rebalance (a member joined or left) while it was
  being worked on, is delivered again, so the work must be idempotent.
- subscribe: a consumer outside any group with its partitions assigned by hand, so every
  web replica reads every event. The events topic has one partition, which makes the
  Kafka offset a total order: that offset is the event's position.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import ConsumerStoppedError, KafkaError, TopicAlreadyExistsError

from app.bus.base import BusUnavailable, Event
from app.settings import BusSettings

logger = logging.getLogger(__name__)

REQUEST_TIMEOUT_MS = 10_000
"""Longest wait for one broker request (metadata, produce, topic creation)."""

PUBLISH_TIMEOUT_S = 15.0
"""Longest publish() waits, connecting included, before it raises BusUnavailable."""

CHECK_TIMEOUT_S = 3.0
"""Longest /readyz waits for the cluster's metadata."""

SESSION_TIMEOUT_MS = 10_000
"""A group member silent this long is dropped and its partitions move to the others.

Heartbeats come from a background task, not from the worker's loop, so a member busy with
a long encode stays in; a SIGKILLed one is gone within this time plus one rebalance.
"""

HEARTBEAT_INTERVAL_MS = 3_000

MAX_POLL_INTERVAL_MS = 30 * 60 * 1000
"""Longest a group member may spend on one message before Kafka assumes it is stuck.

A worker asks for the next message only after finishing the current one, and a 500 MB
video can take minutes to encode (each ffmpeg run alone may take up to its 10-minute
timeout). Past this interval aiokafka leaves the group and the partition, with the
uncommitted message, moves to another member: a redo, not a loss.
"""

_TOPIC_ALREADY_EXISTS = TopicAlreadyExistsError.errno


def _encode(value: dict[str, Any]) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _decode(record: ConsumerRecord[bytes, bytes]) -> tuple[str, dict[str, Any]] | None:
    """Key and value of a record, or None (logged) if it is not a JSON object."""
    key = record.key.decode("utf-8", "replace") if record.key is not None else ""
    try:
        value = json.loads(record.value) if record.value is not None else None
    except ValueError as exc:
        value = None
        logger.error(
            "skipping %s[%s]@%s: not JSON: %s", record.topic, record.partition, record.offset, exc
        )
    if not isinstance(value, dict):
        logger.error(
            "skipping %s[%s]@%s: expected a JSON object, got %s",
            record.topic,
            record.partition,
            record.offset,
            type(value).__name__,
        )
        return None
    return key, value


@dataclass
class KafkaDelivery:
    """One message handed to a member of a consumer group."""

    key: str
    value: dict[str, Any]
    topic: str
    partition: int
    offset: int
    _consumer: AIOKafkaConsumer = field(repr=False)

    @classmethod
    def of(
        cls,
        record: ConsumerRecord[bytes, bytes],
        consumer: AIOKafkaConsumer,
    ) -> KafkaDelivery | None:
        """The delivery of a record, or None if the record is not a JSON object."""
        decoded = _decode(record)
        if decoded is None:
            return None
        return cls(decoded[0], decoded[1], record.topic, record.partition, record.offset, consumer)

    async def commit(self) -> None:
        """Commit this message's offset + 1 on its partition.

        Raises BusUnavailable if the partition was taken away meanwhile (a rebalance, or
        this member was too slow): the message will then be delivered again elsewhere.
        """
        tp = TopicPartition(self.topic, self.partition)
        try:
            await self._consumer.commit({tp: self.offset + 1})
        except (KafkaError, ConsumerStoppedError) as exc:
            raise BusUnavailable(
                f"could not commit {self.topic}[{self.partition}]@{self.offset}; "
                f"it will be delivered again: {exc!r}"
            ) from exc


class KafkaBus:
    """The Bus protocol on a Kafka cluster."""

    def __init__(self, settings: BusSettings, client_id: str) -> None:
        self._settings = settings
        self._client_id = client_id
        self._producer: AIOKafkaProducer | None = None
        self._admin: AIOKafkaAdminClient | None = None
        self._connect_lock = asyncio.Lock()
        self._consumers: set[AIOKafkaConsumer] = set()

    def __repr__(self) -> str:
        return f"KafkaBus({self._settings.kafka_bootstrap!r}, client_id={self._client_id!r})"

    # -- lifecycle -----------------------------------------------------------------------

    async def start(self) -> None:
        """Connect, and create the jobs and events topics if they are missing.

        Raises BusUnavailable if the cluster cannot be reached. publish() and check()
        connect again on their own, so a bus whose start failed recovers when Kafka returns.
        """
        admin = await self._connected_admin()
        await self._create_missing_topics(admin)
        await self._connected_producer()
        logger.info("kafka bus %s connected to %s", self._client_id, self._settings.kafka_bootstrap)

    async def stop(self) -> None:
        """Stop every consumer this bus opened, then flush and stop the producer."""
        for consumer in list(self._consumers):
            await consumer.stop()
        self._consumers.clear()

        if self._producer is not None:
            await self._producer.stop()
            self._producer = None
        if self._admin is not None:
            await self._admin.close()
            self._admin = None

    async def _connected_admin(self) -> AIOKafkaAdminClient:
        async with self._connect_lock:
            if self._admin is None:
                admin = AIOKafkaAdminClient(
                    bootstrap_servers=self._settings.kafka_bootstrap,
                    client_id=f"{self._client_id}-admin",
                    request_timeout_ms=REQUEST_TIMEOUT_MS,
                )
                await self._bounded(admin.start(), "connecting the admin client", admin.close)
                self._admin = admin
            return self._admin

    async def _connected_producer(self) -> AIOKafkaProducer:
        async with self._connect_lock:
            if self._producer is None:
                producer = AIOKafkaProducer(
                    bootstrap_servers=self._settings.kafka_bootstrap,
                    client_id=self._client_id,
                    acks="all",
                    enable_idempotence=True,
                    request_timeout_ms=REQUEST_TIMEOUT_MS,
                )
                await self._bounded(producer.start(), "connecting the producer", producer.stop)
                self._producer = producer
            return self._producer

    async def _bounded(
        self, step: Awaitable[Any], what: str, undo: Callable[[], Awaitable[Any]]
    ) -> None:
        """Await a connect step within the request timeout; undo it and raise if it fails."""
        try:
            await asyncio.wait_for(step, REQUEST_TIMEOUT_MS / 1000)
        except (KafkaError, OSError, TimeoutError) as exc:
            await undo()
            raise BusUnavailable(
                f"{what} to Kafka at {self._settings.kafka_bootstrap} failed: {exc!r}"
            ) from exc
        except BaseException:
            # Cancelled (a caller's own deadline): close what was half opened, then go on.
            await undo()
            raise

    async def _create_missing_topics(self, admin: AIOKafkaAdminClient) -> None:
        # Events need one partition: their offsets are the positions clients resume from.
        wanted = {
            self._settings.jobs_topic: self._settings.jobs_partitions,
            self._settings.events_topic: 1,
        }
        try:
            existing = set(await admin.list_topics())
            brokers = len((await admin.describe_cluster())["brokers"])
            missing = [
                NewTopic(name, partitions, replication_factor=min(3, max(brokers, 1)))
                for name, partitions in wanted.items()
                if name not in existing
            ]
            if missing:
                response = await admin.create_topics(missing, timeout_ms=REQUEST_TIMEOUT_MS)
                self._raise_topic_errors(response.topic_errors)
            partitions = await self._partition_counts(admin, list(wanted))
        except KafkaError as exc:
            raise BusUnavailable(f"creating topics {sorted(wanted)} failed: {exc!r}") from exc

        for name, count in wanted.items():
            if partitions.get(name) != count:
                logger.warning(
                    "topic %s has %s partitions, expected %s", name, partitions.get(name), count
                )

    @staticmethod
    def _raise_topic_errors(topic_errors: list[tuple[Any, ...]]) -> None:
        for topic, code, *message in topic_errors:
            if code == 0:
                logger.info("created topic %s", topic)
            elif code != _TOPIC_ALREADY_EXISTS:
                # Another replica creating the same topic at the same moment is fine.
                raise BusUnavailable(f"creating topic {topic} failed: error {code} {message}")

    @staticmethod
    async def _partition_counts(admin: AIOKafkaAdminClient, topics: list[str]) -> dict[str, int]:
        described = await admin.describe_topics(topics)
        return {
            item["topic"]: len(item["partitions"]) for item in described if item["error_code"] == 0
        }

    # -- publishing ----------------------------------------------------------------------

    async def publish(self, topic: str, key: str, value: dict[str, Any]) -> None:
        """Send one message and wait until every in-sync replica has it.

        Raises BusUnavailable within PUBLISH_TIMEOUT_S when it cannot. A timed-out send
        may still reach Kafka later, so a retry can duplicate it: consumers must be
        idempotent (they are: jobs and events carry ids).
        """
        payload = _encode(value)
        try:
            async with asyncio.timeout(PUBLISH_TIMEOUT_S):
                producer = await self._connected_producer()
                await producer.send_and_wait(topic, payload, key=key.encode("utf-8"))
        except (KafkaError, OSError, TimeoutError) as exc:
            raise BusUnavailable(
                f"publishing to {topic} (key {key!r}) at {self._settings.kafka_bootstrap} "
                f"failed: {exc!r}"
            ) from exc

    # -- consuming -----------------------------------------------------------------------

    def consume_group(self, topic: str, group: str) -> AsyncIterator[KafkaDelivery]:
        """Messages of topic, shared among every consumer of the same group.

        The member joins the group on first iteration and leaves it when the iterator is
        closed (aclose) or the bus stops; uncommitted messages then go to another member.
        """
        return self._consume_group(topic, group)

    async def _consume_group(self, topic: str, group: str) -> AsyncIterator[KafkaDelivery]:
        consumer = AIOKafkaConsumer(
            topic,
            bootstrap_servers=self._settings.kafka_bootstrap,
            client_id=self._client_id,
            group_id=group,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            session_timeout_ms=SESSION_TIMEOUT_MS,
            heartbeat_interval_ms=HEARTBEAT_INTERVAL_MS,
            max_poll_interval_ms=MAX_POLL_INTERVAL_MS,
        )
        await self._start_consumer(consumer, f"joining group {group} on {topic}")
        try:
            while (record := await self._next_record(consumer)) is not None:
                delivery = KafkaDelivery.of(record, consumer)
                if delivery is None:
                    # Commit past a malformed job, or it would block its partition forever.
                    await KafkaDelivery(
                        "", {}, record.topic, record.partition, record.offset, consumer
                    ).commit()
                    continue
                yield delivery
        finally:
            await self._stop_consumer(consumer)

    def subscribe(self, topic: str, from_position: int | None = None) -> AsyncIterator[Event]:
        """Every message of topic from now on (or from from_position), for every caller.

        Not a consumer group: each subscription reads all partitions on its own, so every
        web replica sees every event. Positions are offsets, a total order only on a
        one-partition topic, which is why from_position needs one.
        """
        return self._subscribe(topic, from_position)

    async def _subscribe(self, topic: str, from_position: int | None) -> AsyncIterator[Event]:
        admin = await self._connected_admin()
        try:
            counts = await self._partition_counts(admin, [topic])
        except KafkaError as exc:
            raise BusUnavailable(f"reading partitions of {topic} failed: {exc!r}") from exc
        if topic not in counts:
            raise BusUnavailable(f"cannot subscribe to {topic}: the topic does not exist")
        if from_position is not None and counts[topic] != 1:
            raise ValueError(
                f"from_position needs a one-partition topic; {topic} has {counts[topic]}"
            )

        # "latest" if a position falls out of the log (retention): a live feed skips ahead
        # rather than replaying everything to every browser.
        consumer = AIOKafkaConsumer(
            bootstrap_servers=self._settings.kafka_bootstrap,
            client_id=self._client_id,
            group_id=None,
            enable_auto_commit=False,
            auto_offset_reset="latest",
        )
        await self._start_consumer(consumer, f"subscribing to {topic}")
        try:
            partitions = [TopicPartition(topic, p) for p in range(counts[topic])]
            consumer.assign(partitions)
            await self._seek_start(consumer, partitions, from_position)
            while (record := await self._next_record(consumer)) is not None:
                decoded = _decode(record)
                if decoded is not None:
                    yield Event(
                        record.topic, decoded[0], decoded[1], record.offset, float(record.timestamp)
                    )
        finally:
            await self._stop_consumer(consumer)

    async def end_position(self, topic: str) -> int:
        """Position the next event of a one-partition topic will get."""
        tp = TopicPartition(topic, 0)
        consumer = AIOKafkaConsumer(
            bootstrap_servers=self._settings.kafka_bootstrap,
            client_id=self._client_id,
            group_id=None,
            request_timeout_ms=REQUEST_TIMEOUT_MS,
        )
        await self._bounded(consumer.start(), f"reading the end of {topic}", consumer.stop)
        try:
            return int((await consumer.end_offsets([tp]))[tp])
        except KafkaError as exc:
            raise BusUnavailable(f"reading the end of {topic} failed: {exc!r}") from exc
        finally:
            await consumer.stop()

    @staticmethod
    async def _seek_start(
        consumer: AIOKafkaConsumer, partitions: list[TopicPartition], from_position: int | None
    ) -> None:
        if from_position is None:
            await consumer.seek_to_end(*partitions)
            return
        # Clamp into the log so an old or future position cannot trigger an offset reset.
        tp = partitions[0]
        first = (await consumer.beginning_offsets([tp]))[tp]
        end = (await consumer.end_offsets([tp]))[tp]
        consumer.seek(tp, max(first, min(from_position, end)))

    async def _start_consumer(self, consumer: AIOKafkaConsumer, what: str) -> None:
        await self._bounded(consumer.start(), what, consumer.stop)
        self._consumers.add(consumer)

    async def _stop_consumer(self, consumer: AIOKafkaConsumer) -> None:
        self._consumers.discard(consumer)
        await consumer.stop()

    @staticmethod
    async def _next_record(consumer: AIOKafkaConsumer) -> ConsumerRecord[bytes, bytes] | None:
        """The next record, or None once the consumer is stopped (the bus is stopping)."""
        try:
            return await consumer.getone()
        except ConsumerStoppedError:
            return None
        except KafkaError as exc:
            source = consumer.subscription() or consumer.assignment()
            raise BusUnavailable(f"consuming {source} failed: {exc!r}") from exc

    # -- health --------------------------------------------------------------------------

    async def check(self) -> None:
        """Raise BusUnavailable unless the cluster's metadata arrives within a few seconds."""
        try:
            async with asyncio.timeout(CHECK_TIMEOUT_S):
                admin = await self._connected_admin()
                await admin.describe_cluster()
        except (KafkaError, OSError, TimeoutError) as exc:
            raise BusUnavailable(
                f"Kafka at {self._settings.kafka_bootstrap} did not answer: {exc!r}"
            ) from exc
