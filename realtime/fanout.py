"""The one upstream subscription of a web replica: bus events in, socket messages out.

Each event is turned into what browsers need once per replica (the post rendered as
viewer-neutral HTML), then handed to the hub, which decides which sockets get it.
"""

from __future__ import annotations

import asyncio
import logging
import time

from app.bus.base import Bus, Event
from app.posts.events import POST_CREATED, POST_DELETED, POST_FAILED, POST_READY
from app.posts.models import Post
from app.posts.views import post_view
from app.storage.base import Stores
from app.templating import render
from realtime.hub import Audience, Hub
from realtime.social_fanout import SocialFanout, notification_message

logger = logging.getLogger(__name__)


class Fanout:
    def __init__(self, bus: Bus, topic: str, hub: Hub, stores: Stores) -> None:
        self._bus = bus
        self._topic = topic
        self._hub = hub
        self._stores = stores
        self._social = SocialFanout(hub, stores)
        self.ready = asyncio.Event()
        """Set once the subscription is in place; events from then on reach sockets."""

    async def run(self) -> None:
        start = await self._bus.end_position(self._topic)
        self._hub.start_window(start)
        subscription = self._bus.subscribe(self._topic, from_position=start)
        self.ready.set()
        logger.info("fan-out subscribed topic=%s from_position=%d", self._topic, start)

        async for event in subscription:
            try:
                await self._dispatch(event)
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.exception("fan-out could not deliver event position=%s", event.position)

    async def _dispatch(self, event: Event) -> None:
        kind = event.value.get("type")
        post_id = event.value.get("post_id")
        author_id = event.value.get("author_id")
        # Timing of the hop from producer to this replica, for latency measurements.
        trace = {"produced_ms": event.produced_at_ms, "received_ms": time.time() * 1000}
        base = {"type": kind, "post_id": post_id, "author_id": author_id, "trace": trace}

        if kind in (POST_CREATED, POST_READY):
            html = await self._render_post(post_id)
            if html is None:
                return  # deleted since; its deletion event follows
            self._hub.publish(event.position, {**base, "html": html})
        elif kind == POST_FAILED:
            # Only the author learns why; everyone else just stops seeing the post.
            failed = {**base, "reason": event.value.get("reason", "")}
            self._hub.publish(event.position, failed, Audience(only_user=author_id))
            gone = {"type": POST_DELETED, "post_id": post_id}
            self._hub.publish(event.position, gone, Audience(except_user=author_id))
        elif kind == POST_DELETED:
            self._hub.publish(event.position, base)
        elif self._social.handles(kind):
            await self._social.dispatch(event)
        else:
            logger.debug("fan-out ignores event type=%s", kind)

        notification = event.value.get("notification")
        if notification:
            # Older events name no recipient: those notifications were the author's.
            notification = {"user_id": author_id, **notification}
            message = await notification_message(notification, post_id)
            self._hub.publish(event.position, message, Audience(only_user=notification["user_id"]))

    async def _render_post(self, post_id: int) -> str | None:
        post = (
            await Post.get_or_none(id=post_id)
            .select_related("author")
            .prefetch_related("attachments")
        )
        if post is None:
            return None
        return render("feed/_post.html", post=post_view(post, self._stores))
