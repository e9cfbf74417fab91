// Relative timestamps ("3 min ago") on every <time datetime> in the page, kept fresh every
// 30 s. The full date, in the reader's time zone, is in the title attribute for hover.

const MINUTE = 60;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const REFRESH_MS = 30_000;
const FULL_DATE = new Intl.DateTimeFormat(undefined, { dateStyle: "full", timeStyle: "short" });

export function relativeTime(date, now = new Date()) {
  const seconds = Math.round((now - date) / 1000);

  if (seconds < 45) return "just now";
  if (seconds < HOUR) return `${Math.max(1, Math.round(seconds / MINUTE))} min ago`;
  if (seconds < DAY) {
    const hours = Math.floor(seconds / HOUR);
    return hours === 1 ? "1 hour ago" : `${hours} hours ago`;
  }
  if (seconds < 2 * DAY) return "yesterday";
  if (seconds < 7 * DAY) return `${Math.floor(seconds / DAY)} days ago`;

  const sameYear = date.getFullYear() === now.getFullYear();
  return date.toLocaleDateString(undefined, {
    day: "numeric",
    month: "short",
    year: sameYear ? undefined : "numeric",
  });
}

/** Parse an ISO 8601 timestamp; one without a zone is UTC (the server's clock), not local. */
export function parseUtc(iso) {
  const zoned = /(Z|[+-]\d\d:?\d\d)$/i.test(iso) ? iso : `${iso}Z`;
  return new Date(zoned);
}

export function refreshTimes(root = document) {
  const now = new Date();
  for (const el of root.querySelectorAll("time[datetime]")) {
    const date = parseUtc(el.getAttribute("datetime"));
    if (Number.isNaN(date.getTime())) continue;

    el.textContent = relativeTime(date, now);
    // The server's title is the date in UTC, for pages without JavaScript; the reader's
    // own clock and language read better.
    el.title = FULL_DATE.format(date);
  }
}

export function startClock() {
  refreshTimes();
  setInterval(refreshTimes, REFRESH_MS);

  // Timers are throttled in background tabs; catch up as soon as the reader returns.
  document.addEventListener("visibilitychange", () => {
    if (!document.hidden) refreshTimes();
  });
}
