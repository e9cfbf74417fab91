// Telling the reader things: toasts in the polite live region, the notification bell with
// its unread badge (#notif-count) and list, and banners (live updates paused, activity missed).

import { csrfToken, postUrl } from "./util.js";
import { refreshTimes } from "./time.js";

const TOAST_MS = 8000;
const MAX_LISTED = 30;

let unread = 0;

/** Show a toast; options: href + linkText for a link, error for the red variant. */
export function toast(text, { href = "", linkText = "View", error = false } = {}) {
  const region = document.getElementById("toasts");
  if (!region) return;

  const el = document.createElement("div");
  el.className = error ? "toast is-error" : "toast";
  const body = document.createElement("div");
  body.className = "toast-body";
  body.textContent = text;
  if (href) {
    const link = document.createElement("a");
    link.href = href;
    link.textContent = linkText;
    body.append(document.createElement("br"), link);
  }
  el.append(body, closeButton("Dismiss", () => el.remove()));
  region.append(el);

  dismissLater(el);
}

// Keep a toast while the pointer or keyboard focus is on it, so nobody loses it mid-read.
function dismissLater(el) {
  setTimeout(() => {
    if (!el.isConnected) return;
    if (el.matches(":hover, :focus-within")) dismissLater(el);
    else el.remove();
  }, TOAST_MS);
}

function closeButton(label, onClick) {
  const button = document.createElement("button");
  button.type = "button";
  button.className = "icon-button";
  button.setAttribute("aria-label", label);
  button.innerHTML =
    '<svg aria-hidden="true" viewBox="0 0 24 24" width="16" height="16">' +
    '<path d="M6 6l12 12M18 6 6 18" stroke="currentColor" stroke-width="2" ' +
    'stroke-linecap="round"/></svg>';
  button.addEventListener("click", onClick);
  return button;
}

/** A live {"type":"notification"} message: toast it, list it, count it. */
export function addNotification(message) {
  const href = message.post_id ? postUrl(message.post_id) : "";
  toast(message.text, { href, linkText: "View post" });
  listNotification(message.text, href);
  setUnread(typeof message.unread === "number" ? message.unread : unread + 1);
}

function listNotification(text, href) {
  const list = document.getElementById("notif-list");
  if (!list) return;

  const item = document.createElement("li");
  const target = document.createElement(href ? "a" : "div");
  if (href) target.href = href;
  target.textContent = text;
  const time = document.createElement("time");
  time.dateTime = new Date().toISOString();
  target.append(time);
  item.append(target);

  list.prepend(item);
  list.querySelectorAll(`li:nth-child(n+${MAX_LISTED + 1})`).forEach((old) => old.remove());
  refreshTimes(item);
}

export function setUnread(count) {
  unread = count;
  const badge = document.getElementById("notif-count");
  const button = document.getElementById("notif-button");
  if (badge) {
    badge.textContent = count > 99 ? "99+" : String(count);
    badge.hidden = count === 0;
  }
  if (button) {
    const suffix = count ? `, ${count} unread` : "";
    button.setAttribute("aria-label", `Notifications${suffix}`);
  }
}

function markAllRead() {
  fetch("/api/v1/notifications/read", {
    method: "POST",
    headers: { "X-CSRF-Token": csrfToken(), Accept: "application/json" },
  }).catch(() => {
    // Offline: the badge is already cleared here; the server still counts them unread.
  });
}

export function initNotifications() {
  const button = document.getElementById("notif-button");
  const panel = document.getElementById("notif-panel");
  const badge = document.getElementById("notif-count");
  if (!button || !panel) return;

  unread = Number.parseInt(badge?.textContent ?? "0", 10) || 0;

  const close = () => {
    panel.hidden = true;
    button.setAttribute("aria-expanded", "false");
  };
  button.addEventListener("click", () => {
    const opening = panel.hidden;
    panel.hidden = !opening;
    button.setAttribute("aria-expanded", String(opening));
    // Seen once opened: marked read on the server too, which resets the user's other tabs.
    if (opening && unread > 0) {
      setUnread(0);
      markAllRead();
    }
  });
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && !panel.hidden) {
      close();
      button.focus();
    }
  });
  document.addEventListener("click", (event) => {
    if (!panel.hidden && !event.target.closest(".notif")) close();
  });
}

/** Show (or update) the banner named key; one per key. Returns the banner element. */
export function showBanner(key, text, actionLabel, onAction) {
  const region = document.getElementById("banner-region");
  if (!region) return null;

  let banner = region.querySelector(`[data-banner="${key}"]`);
  if (!banner) {
    banner = document.createElement("div");
    banner.className = `banner banner-${key}`;
    banner.dataset.banner = key;
    banner.setAttribute("role", "status");
    region.append(banner);
  }
  const message = document.createElement("p");
  message.textContent = text;
  const action = document.createElement("button");
  action.type = "button";
  action.className = "button primary small";
  action.textContent = actionLabel;
  action.addEventListener("click", onAction);
  banner.replaceChildren(message, action);
  return banner;
}

export function hideBanner(key) {
  document.querySelector(`#banner-region [data-banner="${key}"]`)?.remove();
}
