// The live feed: one websocket to /ws, resumed with ?last=<last event id> after a drop
// (backoff from 1 s doubling to 30 s, with jitter). Post events update the page in place;
// new posts wait behind a "N new posts" pill while the reader is scrolled down.

import { currentUserId, plural, prefersReducedMotion } from "./util.js";
import {
  feedElement, findPost, focusPost, insertAtTop, markFailed, removePost, replacePost,
} from "./posts.js";
import { addNotification, hideBanner, showBanner } from "./notify.js";
import { feedAccepts, socialHandlers } from "./social.js";

const NEAR_TOP_PX = 300;
const FIRST_DELAY_MS = 1000;
const MAX_DELAY_MS = 30_000;
// A reconnect that succeeds within this long is not worth a banner.
const QUIET_DROP_MS = 4000;

let socket = null;
// Where the server-rendered page left off, when the handler says; else hello's last_id.
let lastId = initialLastId();
let attempt = 0;
let retryTimer = 0;
let bannerTimer = 0;

// Posts that arrived while the reader was scrolled down: post id -> html, oldest first.
const queued = new Map();

function initialLastId() {
  const raw = document.body.dataset.lastEventId;
  return raw && /^\d+$/.test(raw) ? Number(raw) : null;
}

export function startLive() {
  document.getElementById("new-posts-pill")?.addEventListener("click", showQueued);
  // The composer may show a post that is also waiting here; it must not be counted twice.
  document.addEventListener("murmur:post-inserted", (event) => {
    if (queued.delete(String(event.detail.postId))) updatePill();
  });
  window.addEventListener("online", reconnectNow);
  connect();
}

function connect() {
  clearTimeout(retryTimer);
  const url = new URL("/ws", location.href);
  url.protocol = location.protocol === "https:" ? "wss:" : "ws:";
  if (lastId !== null) url.searchParams.set("last", String(lastId));

  socket = new WebSocket(url);
  socket.addEventListener("message", onMessage);
  socket.addEventListener("close", onClose);
}

// Close codes the server sends when it refuses a socket (see realtime/socket.py).
const CLOSE_UNAUTHENTICATED = 4401;

function onClose(event) {
  socket = null;
  if (event && event.code === CLOSE_UNAUTHENTICATED) {
    // The session ended (logged out in another tab, or expired): retrying cannot help.
    showBanner("signed-out", "You have been logged out.", "Log in again", () => {
      window.location.assign("/login");
    });
    return;
  }
  const ceiling = Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * 2 ** attempt);
  attempt += 1;
  // Jitter spreads reconnects after a replica restart instead of a thundering herd.
  const delay = ceiling / 2 + Math.random() * (ceiling / 2);
  retryTimer = setTimeout(connect, delay);

  if (!bannerTimer) bannerTimer = setTimeout(showOffline, QUIET_DROP_MS);
}

function reconnectNow() {
  if (socket) return;
  attempt = 0;
  connect();
}

function showOffline() {
  showBanner("offline", "Live updates paused. Reconnecting…", "Retry now", reconnectNow);
}

function connected() {
  // Reset only once the server has spoken: a socket that opens and is closed at once
  // (a refused session, a replica going down) must keep backing off.
  attempt = 0;
  clearTimeout(bannerTimer);
  bannerTimer = 0;
  hideBanner("offline");
}

function onMessage(event) {
  let message;
  try {
    message = JSON.parse(event.data);
  } catch {
    return;
  }
  connected();

  if (typeof message.id === "number") {
    // A replay may overlap what this page already applied.
    if (lastId !== null && message.id <= lastId) return;
    lastId = message.id;
  }
  if (Object.hasOwn(HANDLERS, message.type)) HANDLERS[message.type](message);
}

const HANDLERS = {
  hello(message) {
    // A server whose history is behind ours has restarted with a fresh log: follow it,
    // or every new event would look like a replay and be dropped.
    const serverLast = message.last_id;
    if (typeof serverLast !== "number") return;
    if (lastId === null || serverLast < lastId) lastId = serverLast;
  },
  ping() {},
  "post.created"(message) {
    if (feedAccepts(message.author_id)) addPost(message.post_id, message.html);
  },
  "post.ready"(message) {
    if (queued.has(String(message.post_id))) queued.set(String(message.post_id), message.html);
    else if (!replacePost(message.post_id, message.html) && feedAccepts(message.author_id)) {
      addPost(message.post_id, message.html);
    }
  },
  "post.failed"(message) {
    if (String(message.author_id) === currentUserId()) {
      markFailed(message.post_id, message.reason);
      return;
    }
    forget(message.post_id);
  },
  "post.deleted"(message) {
    forget(message.post_id);
  },
  notification(message) {
    addNotification(message);
  },
  ...socialHandlers,
  reload() {
    showBanner("reload", "New activity was missed while you were away.", "Reload", () => {
      location.reload();
    });
  },
};

// An older page (?before=...) is history: new posts belong on the first page only.
const AT_FEED_HEAD = !new URLSearchParams(location.search).has("before");

function addPost(postId, html) {
  const key = String(postId);
  if (!AT_FEED_HEAD || !feedElement() || findPost(postId) || queued.has(key)) return;

  if (window.scrollY <= NEAR_TOP_PX && queued.size === 0) insertAtTop(html);
  else queued.set(key, html);
  updatePill();
}

function forget(postId) {
  queued.delete(String(postId));
  removePost(postId);
  updatePill();
}

function updatePill() {
  const pill = document.getElementById("new-posts-pill");
  if (!pill) return;
  pill.hidden = queued.size === 0;
  const arrow = document.createElement("span");
  arrow.setAttribute("aria-hidden", "true");
  arrow.textContent = "↑ ";
  pill.replaceChildren(arrow, plural(queued.size, "new post", "new posts"));
}

function showQueued() {
  const waiting = [...queued.values()];
  queued.clear();
  let newest = null;
  for (const html of waiting) newest = insertAtTop(html) ?? newest;
  updatePill();

  window.scrollTo({ top: 0, behavior: prefersReducedMotion() ? "auto" : "smooth" });
  focusPost(newest);
}
