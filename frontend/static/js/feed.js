// "Load more" and infinite scroll: fetch /feed/page?before=<cursor> (an HTML fragment),
// append the posts not already shown, then move the cursor on or say that's everything.

import { responseDetail, OFFLINE_MESSAGE } from "./util.js";
import { enhance } from "./posts.js";

// Start fetching well before the reader reaches the bottom, so scrolling rarely waits.
const PRELOAD_MARGIN = "900px 0px";

export function initFeed(feed) {
  const pager = feed.parentElement.querySelector(".feed-pager");
  if (!pager) return;

  const button = pager.querySelector(".load-more");
  let loading = false;
  let failed = false;

  const observer = new IntersectionObserver((entries) => {
    // After a failure only the button retries, so a broken server is not hammered.
    if (entries.some((entry) => entry.isIntersecting) && !failed) load();
  }, { rootMargin: PRELOAD_MARGIN });

  async function load() {
    if (loading || !pager.dataset.nextCursor) return;
    loading = true;
    setBusy(true);

    try {
      const cursor = pager.dataset.nextCursor;
      // A tab or a profile names its own fragment URL; the plain feed is the default.
      const base = pager.dataset.pageUrl || "/feed/page?";
      const response = await fetch(`${base}before=${encodeURIComponent(cursor)}`, {
        headers: { Accept: "text/html" },
      });
      if (!response.ok) throw new Error(await responseDetail(response));
      appendPage(await response.text());
      failed = false;
      showError("");
    } catch (error) {
      failed = true;
      const reason = error instanceof TypeError ? OFFLINE_MESSAGE : error.message;
      showError(`Couldn't load older posts. ${reason}`);
    } finally {
      loading = false;
      setBusy(false);
    }

    // Re-observing reports the pager's position afresh: if a short page left it in view,
    // the next page loads without waiting for a scroll.
    if (pager.isConnected && !failed) {
      observer.unobserve(pager);
      observer.observe(pager);
    }
  }

  function appendPage(html) {
    const template = document.createElement("template");
    template.innerHTML = html;

    for (const post of template.content.querySelectorAll(".post")) {
      if (document.getElementById(post.id)) continue;
      feed.append(post);
      enhance(post);
    }

    const next = template.content.querySelector("[data-next-cursor]")?.dataset.nextCursor;
    if (next) {
      pager.dataset.nextCursor = next;
      const link = new URL(button.href, location.href);
      link.searchParams.set("before", next);
      button.href = link.pathname + link.search;
    } else {
      observer.disconnect();
      pager.replaceWith(endMarker());
    }
  }

  function setBusy(busy) {
    feed.setAttribute("aria-busy", String(busy));
    button.textContent = busy ? "Loading…" : failed ? "Try again" : "Load more";
    button.setAttribute("aria-disabled", String(busy));
  }

  function showError(text) {
    let note = pager.querySelector(".feed-pager-error");
    if (!text) {
      note?.remove();
      return;
    }
    if (!note) {
      note = document.createElement("p");
      note.className = "feed-pager-error";
      note.setAttribute("role", "alert");
      pager.append(note);
    }
    note.textContent = text;
  }

  button.addEventListener("click", (event) => {
    // Keep ordinary "open in new tab" behaviour; a plain click loads in place.
    if (event.ctrlKey || event.metaKey || event.shiftKey || event.button) return;
    event.preventDefault();
    load();
  });
  observer.observe(pager);
}

function endMarker() {
  const end = document.createElement("p");
  end.className = "feed-end";
  end.textContent = "You're all caught up. That's every post.";
  return end;
}
