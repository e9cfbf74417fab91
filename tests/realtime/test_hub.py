"""The fan-out hub: audiences, ids, replay window and the slow-socket policy."""

from __future__ import annotations

from realtime.hub import QUEUE_SIZE, Audience, LocalHub


def _drain(connection) -> list[dict]:
    messages = []
    while not connection.queue.empty():
        messages.append(connection.queue.get_nowait())
    return messages


def test_private_messages_reach_only_their_user_and_public_ones_everyone() -> None:
    hub = LocalHub()
    hub.start_window(0)
    alice, bob = hub.connect(1), hub.connect(2)

    hub.publish(0, {"type": "post.created"})
    hub.publish(0, {"type": "notification"}, Audience(only_user=1))
    hub.publish(1, {"type": "post.deleted"}, Audience(except_user=1))

    assert [m["type"] for m in _drain(alice)] == ["post.created", "notification"]
    assert [m["type"] for m in _drain(bob)] == ["post.created", "post.deleted"]


def test_messages_of_one_event_get_distinct_increasing_ids() -> None:
    hub = LocalHub()
    hub.start_window(5)
    user = hub.connect(1)
    hub.publish(5, {"type": "post.ready"})
    hub.publish(5, {"type": "notification"})
    hub.publish(6, {"type": "post.created"})
    ids = [m["id"] for m in _drain(user)]
    assert ids == sorted(ids) and len(set(ids)) == 3
    assert hub.last_id == ids[-1]


def test_replay_returns_what_came_after_the_last_seen_id_for_that_user() -> None:
    hub = LocalHub()
    hub.start_window(0)
    assert hub.replay_after(hub.last_id, user_id=1) == []  # nothing yet, nothing missed
    hub.publish(0, {"type": "post.created"})
    first = hub.last_id
    hub.publish(1, {"type": "post.ready"})
    hub.publish(1, {"type": "notification"}, Audience(only_user=2))

    assert [m["type"] for m in hub.replay_after(first, user_id=1)] == ["post.ready"]
    assert [m["type"] for m in hub.replay_after(first, user_id=2)] == ["post.ready", "notification"]


def test_replay_reports_a_gap_older_than_the_window() -> None:
    hub = LocalHub(window=3)
    hub.start_window(10)
    assert hub.replay_after(10 * 4 - 2, user_id=1) is None  # before this replica's start
    for position in range(10, 15):
        hub.publish(position, {"type": "post.created"})
    assert hub.replay_after(11 * 4, user_id=1) is not None
    assert hub.replay_after(10 * 4, user_id=1) is None  # 11's message fell out of the window


def test_a_socket_that_falls_too_far_behind_is_disconnected_not_buffered() -> None:
    hub = LocalHub()
    hub.start_window(0)
    slow, fine = hub.connect(1), hub.connect(2)
    for position in range(QUEUE_SIZE + 1):
        hub.publish(position, {"type": "post.created"})
        _drain(fine)
    assert slow.overflowed.is_set() and not fine.overflowed.is_set()
    assert hub.connection_count == 1
