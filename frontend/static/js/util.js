// Small helpers shared by Murmur's modules: the CSRF token, who is logged in, turning
// server-rendered HTML into elements, and turning API failures into plain words.

export function csrfToken() {
  return document.querySelector('meta[name="csrf-token"]')?.content ?? "";
}

export function currentUserId() {
  return document.body.dataset.userId || "";
}

export function prefersReducedMotion() {
  return window.matchMedia("(prefers-reduced-motion: reduce)").matches;
}

/** Parse an HTML string (trusted: rendered by our own server) into its top-level elements. */
export function htmlToElements(html) {
  const template = document.createElement("template");
  template.innerHTML = html.trim();
  return [...template.content.children];
}

/** Where a post lives: its own time link if it is on the page, else the usual route. */
export function postUrl(postId) {
  const link = document.querySelector(`#post-${postId} .post-time`);
  return link ? link.getAttribute("href") : `/posts/${postId}`;
}

export function formatBytes(bytes) {
  if (bytes >= 1024 * 1024 * 1024) return `${(bytes / 1024 ** 3).toFixed(1)} GB`;
  if (bytes >= 1024 * 1024) return `${(bytes / 1024 ** 2).toFixed(1).replace(/\.0$/, "")} MB`;
  if (bytes >= 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${bytes} bytes`;
}

export function plural(count, one, many) {
  return `${count} ${count === 1 ? one : many}`;
}

// Said when the server gave no usable {"detail"}: a proxy's HTML page, an empty body.
const FALLBACKS = {
  401: "You're logged out. Log in again, then retry.",
  403: "Murmur refused that. If this page has been open a long time, reload it and try again.",
  404: "That post no longer exists.",
  413: "That file is too large for Murmur to accept.",
  429: "That was a lot at once. Wait a minute, then try again.",
};

/** The plain-words message for a failed response, given its status and raw body text. */
export function detailFromText(status, text) {
  try {
    const detail = JSON.parse(text)?.detail;
    if (typeof detail === "string" && detail) return detail;
  } catch {
    // Not JSON (a proxy error page, an empty body): fall through to a generic message.
  }
  if (FALLBACKS[status]) return FALLBACKS[status];
  if (status >= 500) return `Murmur had a problem on its side (error ${status}). Please try again.`;
  return `Something went wrong (error ${status}). Please try again.`;
}

export async function responseDetail(response) {
  return detailFromText(response.status, await response.text());
}

export const OFFLINE_MESSAGE = "Couldn't reach Murmur. Check your connection and try again.";
