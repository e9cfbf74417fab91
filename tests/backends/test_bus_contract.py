"""The Bus contract, run on every backend: in-process memory and Kafka."""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from aiokafka.admin import AIOKafkaAdminClient

from app.bus.base import Bus, BusUnavailable, Delivery, Event
from app.bus.kafka import KafkaBus
from app.bus.memory import MemoryBus
from app.settings import BusSettings
from tests.backends.conftest import Deadline, Inbox, RealServices, free_port, unique

JOIN_TIMEOUT_S = 60.0
"""A Kafka group's first join can take several seconds (initial rebalance delay)."""

DELIVERY_TIMEOUT_S = 30.0


@dataclass
class BusCase:
    name: str
    bus: Bus
    jobs: str
    events: str
    settle_group: Callable[[str, int], Awaitable[None]]
    """Wait until a consumer group has this many members with partitions assigned."""

    async def end_position(self, topic: str) -> int:
        end: int = await self.bus.end_position(topic)  # type: ignore[attr-defined]
        return end


async def _nothing_to_settle(group: str, members: int) -> None:
    return None


def _kafka_group_settler(bootstrap: str) -> Callable[[str, int], Awaitable[None]]:
    async def settle(group: str, members: int) -> None:
        admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
        await admin.start()
        try:
            async with asyncio.timeout(JOIN_TIMEOUT_S):
                while True:
                    described = await admin.describe_consumer_groups([group])
                    _, _, state, _, _, found = described[0].groups[0][:6]
                    if state == "Stable" and len(found) == members:
                        return
                    # The group state has no push notification; ask again shortly.
                    await asyncio.sleep(0.2)
        finally:
            await admin.close()

    return settle


@contextlib.asynccontextmanager
async def _kafka_case(services: RealServices) -> AsyncIterator[BusCase]:
    """A started KafkaBus with a jobs topic (6 partitions) and an events topic of its own."""
    jobs, events = unique("test.jobs"), unique("test.events")
    settings = BusSettings(
        backend="kafka",
        kafka_bootstrap=services.kafka_bootstrap,
        jobs_topic=jobs,
        jobs_partitions=6,
        events_topic=events,
    )
    bus = KafkaBus(settings, client_id=unique("test-bus"))
    await bus.start()
    try:
        yield BusCase("kafka", bus, jobs, events, _kafka_group_settler(services.kafka_bootstrap))
    finally:
        await bus.stop()


@pytest.fixture(params=["memory", pytest.param("kafka", marks=pytest.mark.stack)])
async def case(request: pytest.FixtureRequest) -> AsyncIterator[BusCase]:
    if request.param == "memory":
        jobs, events = unique("test.jobs"), unique("test.events")
        yield BusCase("memory", MemoryBus(), jobs, events, _nothing_to_settle)
        return

    async with _kafka_case(request.getfixturevalue("real_services")) as kafka:
        yield kafka


@pytest.fixture
async def kafka(real_services: RealServices) -> AsyncIterator[BusCase]:
    async with _kafka_case(real_services) as kafka_case:
        yield kafka_case


async def _collect_deliveries(stream: AsyncIterator[Delivery], inbox: Inbox, tag: int) -> None:
    async for delivery in stream:
        await delivery.commit()
        await inbox.put((tag, delivery.key, delivery.value))


async def _collect_events(stream: AsyncIterator[Event], inbox: Inbox) -> None:
    async for event in stream:
        await inbox.put(event)


@contextlib.asynccontextmanager
async def _running(*coroutines: Awaitable[None]) -> AsyncIterator[list[asyncio.Task[None]]]:
    """Run consumer loops in the background for the block; cancel and await them after."""
    tasks = [asyncio.ensure_future(c) for c in coroutines]
    try:
        yield tasks
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


async def _next(stream: AsyncIterator[Any], within_s: float = JOIN_TIMEOUT_S) -> Any:
    return await asyncio.wait_for(anext(stream), within_s)


async def _subscribers_ready(case: BusCase, inboxes: list[Inbox]) -> None:
    """Publish probes until every subscriber has seen one.

    A subscription starts reading at "now" once its iteration begins, which happens in a
    background task: a probe seen by all tells that moment has passed for every one.
    """
    for probe in range(100):
        await case.bus.publish(case.events, "probe", {"probe": probe})
        seen = [
            await inbox.arrived(lambda items: any(e.key == "probe" for e in items), 0.5)
            for inbox in inboxes
        ]
        if all(seen):
            return
    pytest.fail("subscribers did not start within 100 probes")


# -- groups ----------------------------------------------------------------------------


async def test_published_jobs_reach_a_group_consumer_in_order(case: BusCase) -> None:
    for n in range(3):
        await case.bus.publish(case.jobs, "post-7", {"post_id": 7, "step": n})
    stream = case.bus.consume_group(case.jobs, unique("group"))

    seen = []
    for _ in range(3):
        delivery = await _next(stream)
        seen.append((delivery.key, delivery.value["step"]))
        await delivery.commit()
    await stream.aclose()  # type: ignore[attr-defined]

    assert seen == [("post-7", 0), ("post-7", 1), ("post-7", 2)]


async def test_two_group_members_share_the_jobs_each_delivered_once(case: BusCase) -> None:
    group = unique("group")
    inbox = Inbox()
    members = [case.bus.consume_group(case.jobs, group) for _ in range(2)]

    async with _running(*(_collect_deliveries(m, inbox, tag) for tag, m in enumerate(members))):
        await case.settle_group(group, 2)
        for n in range(60):
            await case.bus.publish(case.jobs, f"post-{n}", {"post_id": n})
        await inbox.wait_for_count(60, DELIVERY_TIMEOUT_S)

    keys = [key for _, key, _ in inbox.items]
    assert sorted(keys) == sorted(f"post-{n}" for n in range(60))
    if case.name == "kafka":
        # Six partitions between two members: both get a share.
        assert {tag for tag, _, _ in inbox.items} == {0, 1}


async def test_uncommitted_delivery_is_redelivered_after_the_consumer_closes(
    case: BusCase,
) -> None:
    group = unique("group")
    await case.bus.publish(case.jobs, "post-1", {"post_id": 1})

    crashed = case.bus.consume_group(case.jobs, group)
    unfinished = await _next(crashed)
    await crashed.aclose()  # type: ignore[attr-defined]  # closed without commit

    retry = case.bus.consume_group(case.jobs, group)
    again = await _next(retry)
    assert (
        (again.key, again.value) == (unfinished.key, unfinished.value) == ("post-1", {"post_id": 1})
    )
    await again.commit()
    await retry.aclose()  # type: ignore[attr-defined]

    await case.bus.publish(case.jobs, "post-2", {"post_id": 2})
    after_commit = case.bus.consume_group(case.jobs, group)
    following = await _next(after_commit)
    await after_commit.aclose()  # type: ignore[attr-defined]
    assert following.value == {"post_id": 2}


async def test_emoji_json_round_trips_through_the_bus(case: BusCase) -> None:
    value = {"text": "Zoë says 🎉👩‍👩‍👧 — ünïcödé ✓", "tags": ["日本語", "ß"], "n": 1.5}
    await case.bus.publish(case.jobs, "post-ü-🎉", value)

    stream = case.bus.consume_group(case.jobs, unique("group"))
    delivery = await _next(stream)
    await delivery.commit()
    await stream.aclose()  # type: ignore[attr-defined]

    assert delivery.key == "post-ü-🎉"
    assert delivery.value == value


# -- subscriptions ---------------------------------------------------------------------


async def test_every_subscriber_sees_every_event_with_increasing_positions(
    case: BusCase,
) -> None:
    inboxes = [Inbox(), Inbox()]
    streams = [case.bus.subscribe(case.events) for _ in inboxes]

    async with _running(*(_collect_events(s, i) for s, i in zip(streams, inboxes, strict=True))):
        await _subscribers_ready(case, inboxes)
        for n in range(20):
            await case.bus.publish(case.events, f"post-{n}", {"n": n, "text": "héllo 🎉"})
        for inbox in inboxes:
            await inbox.wait_until(
                lambda items: sum(e.key != "probe" for e in items) >= 20, DELIVERY_TIMEOUT_S
            )

    views = [[e for e in inbox.items if e.key != "probe"] for inbox in inboxes]
    for events in views:
        assert [e.value["n"] for e in events] == list(range(20))
        positions = [e.position for e in events]
        assert positions == sorted(set(positions)), "positions must strictly increase"
        assert all(e.topic == case.events for e in events)
    assert [e.position for e in views[0]] == [e.position for e in views[1]]


async def test_subscribe_from_a_position_replays_from_there(case: BusCase) -> None:
    start = await case.end_position(case.events)
    for n in range(5):
        await case.bus.publish(case.events, f"post-{n}", {"n": n})

    stream = case.bus.subscribe(case.events, from_position=start + 2)  # type: ignore[call-arg]
    replayed = [await _next(stream, DELIVERY_TIMEOUT_S) for _ in range(3)]
    await stream.aclose()  # type: ignore[attr-defined]

    assert [e.value["n"] for e in replayed] == [2, 3, 4]
    assert [e.position for e in replayed] == [start + 2, start + 3, start + 4]


# -- Kafka only ------------------------------------------------------------------------


async def test_kafka_unreachable_raises_bus_unavailable_within_a_deadline() -> None:
    settings = BusSettings(backend="kafka", kafka_bootstrap=f"127.0.0.1:{free_port()}")
    bus = KafkaBus(settings, client_id="test-down")

    with Deadline() as start_took, pytest.raises(BusUnavailable):
        await bus.start()
    with Deadline() as publish_took, pytest.raises(BusUnavailable) as caught:
        await bus.publish("murmur.jobs", "post-1", {"post_id": 1})
    with Deadline() as check_took, pytest.raises(BusUnavailable):
        await bus.check()
    await bus.stop()

    assert start_took.seconds < 20
    assert publish_took.seconds < 20
    assert check_took.seconds < 5
    assert caught.value.__cause__ is not None
    assert settings.kafka_bootstrap in str(caught.value)


@pytest.mark.stack
async def test_kafka_start_creates_topics_with_the_configured_partitions(
    real_services: RealServices,
) -> None:
    settings = BusSettings(
        backend="kafka",
        kafka_bootstrap=real_services.kafka_bootstrap,
        jobs_topic=unique("test.jobs"),
        jobs_partitions=6,
        events_topic=unique("test.events"),
    )
    bus = KafkaBus(settings, client_id="test-topics")
    await bus.start()
    await bus.start()  # a second replica finding the topics already there
    await bus.check()
    await bus.stop()

    admin = AIOKafkaAdminClient(bootstrap_servers=real_services.kafka_bootstrap)
    await admin.start()
    try:
        described = await admin.describe_topics([settings.jobs_topic, settings.events_topic])
    finally:
        await admin.close()
    partitions = {item["topic"]: len(item["partitions"]) for item in described}
    assert partitions == {settings.jobs_topic: 6, settings.events_topic: 1}


_VICTIM = """
import asyncio, sys
from app.bus.kafka import KafkaBus
from app.settings import BusSettings

async def main() -> None:
    settings = BusSettings(backend="kafka", kafka_bootstrap=sys.argv[1])
    bus = KafkaBus(settings, client_id="victim")
    async for delivery in bus.consume_group(sys.argv[2], sys.argv[3]):
        print(delivery.key, flush=True)
        await asyncio.Event().wait()  # an encode that never ends, never committed

asyncio.run(main())
"""


@pytest.mark.stack
async def test_kafka_job_of_a_killed_member_moves_to_the_survivor(
    kafka: BusCase, real_services: RealServices
) -> None:
    case = kafka
    group = unique("group")
    survivor = Inbox()
    victim = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        _VICTIM,
        real_services.kafka_bootstrap,
        case.jobs,
        group,
        stdout=asyncio.subprocess.PIPE,
        cwd=Path(__file__).resolve().parents[2],
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])},
    )
    try:
        async with _running(
            _collect_deliveries(case.bus.consume_group(case.jobs, group), survivor, 0)
        ):
            await case.settle_group(group, 2)
            for n in range(12):
                await case.bus.publish(case.jobs, f"post-{n}", {"post_id": n})
            assert victim.stdout is not None
            stuck = (
                (await asyncio.wait_for(victim.stdout.readline(), DELIVERY_TIMEOUT_S))
                .decode()
                .strip()
            )

            victim.kill()
            await victim.wait()
            with Deadline() as took:
                await survivor.wait_until(
                    lambda items: any(key == stuck for _, key, _ in items), 30.0
                )
            await survivor.wait_until(
                lambda items: {key for _, key, _ in items} >= {f"post-{n}" for n in range(12)}, 30.0
            )
    finally:
        if victim.returncode is None:
            victim.kill()
            await victim.wait()

    print(f"job {stuck} moved to the survivor {took.seconds:.1f} s after SIGKILL")
    assert took.seconds < 20
