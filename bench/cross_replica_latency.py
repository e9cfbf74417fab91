"""Latency of a post event from its producer to a websocket held on the other replica.

Uses the native stack (`python -m stack up`, started here if needed). User A posts text
through web-1; user B holds a websocket on web-2. For each of 200 posts, made one at a time
at idle, it measures from the moment the event was produced to Kafka (the record's
CreateTime) to the moment B's socket received it, and the part of that spent getting
through Kafka to web-2's consumer. Goal: p99 at most 100 ms.

    .venv/bin/python bench/cross_replica_latency.py [--events 200]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from stack.services import Stack  # noqa: E402
from tests.murmur_client import MurmurClient  # noqa: E402


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


async def measure(stack: Stack, events: int) -> tuple[list[float], list[float]]:
    author = MurmurClient(stack.url("web-1"))
    reader = MurmurClient(stack.url("web-2"))
    await author.sign_up()
    await reader.sign_up()
    socket = await reader.open_socket()

    totals, kafka = [], []
    for index in range(events + 5):
        post = await author.post(f"latency probe {index}")
        message = await socket.next_message(
            lambda m, i=post["id"]: m["type"] == "post.created" and m["post_id"] == i, timeout=10
        )
        arrived_ms = time.time() * 1000
        if index < 5:
            continue  # warm-up: connections, caches, JIT of the broker
        trace = message["trace"]
        totals.append(arrived_ms - trace["produced_ms"])
        kafka.append(trace["received_ms"] - trace["produced_ms"])

    await socket.close()
    await author.close()
    await reader.close()
    return totals, kafka


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=200)
    args = parser.parse_args()

    stack = Stack.from_env()
    stack.up()
    totals, kafka = asyncio.run(measure(stack, args.events))

    p99 = percentile(totals, 0.99)
    print(f"events: {len(totals)} (one at a time, idle stack)")
    print(
        f"produced -> socket on the other replica: p50 {statistics.median(totals):.1f} ms, "
        f"p99 {p99:.1f} ms, max {max(totals):.1f} ms"
    )
    print(
        f"  of which Kafka (produce -> web-2's consumer): p50 {statistics.median(kafka):.1f} ms, "
        f"p99 {percentile(kafka, 0.99):.1f} ms; share of the median total "
        f"{100 * statistics.median(kafka) / statistics.median(totals):.0f}%"
    )
    print(f"goal p99 <= 100 ms -> {'OK' if p99 <= 100 else 'OVER'}")


if __name__ == "__main__":
    main()
