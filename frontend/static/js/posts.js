// What a post element needs once it is on the page: the author's Delete button, hiding
// other people's failed posts, calm animations, the image lightbox, and the in-place
// changes the live feed applies (insert at top, replace, mark failed, remove).

import {
  csrfToken, currentUserId, htmlToElements, OFFLINE_MESSAGE, prefersReducedMotion,
  responseDetail,
} from "./util.js";
import { refreshTimes } from "./time.js";
import { toast } from "./notify.js";

export function feedElement() {
  return document.getElementById("feed");
}

export function findPost(postId) {
  return document.getElementById(`post-${postId}`);
}

function isMine(post) {
  const me = currentUserId();
  return me !== "" && post.dataset.authorId === me;
}

/** Prepare every post in root (an element or the document) for this viewer. */
export function enhance(root = document) {
  const posts = root.matches?.(".post") ? [root] : root.querySelectorAll(".post");
  for (const post of posts) {
    const mine = isMine(post);

    // The server may render failed posts viewer-neutrally; only their author needs them.
    if (post.dataset.status === "failed" && !mine) {
      post.remove();
      continue;
    }
    const deleteButton = post.querySelector(".post-delete");
    if (deleteButton) deleteButton.hidden = !mine;

    if (prefersReducedMotion()) calmAnimations(post);
    refreshTimes(post);
  }
}

// Looping GIF-style animations stop for readers who asked for less motion; they get controls.
function calmAnimations(post) {
  for (const video of post.querySelectorAll("video.media-animation")) {
    video.autoplay = false;
    video.pause();
    video.controls = true;
  }
}

/** The first .post element in server-rendered html, or null. */
function parsePost(html) {
  return htmlToElements(html).find((el) => el.matches(".post")) ?? null;
}

/** Put a post at the top of #feed unless it is already shown. Returns it, or null. */
export function insertAtTop(html) {
  const feed = feedElement();
  const post = parsePost(html);
  if (!feed || !post || document.getElementById(post.id)) return null;

  post.classList.add("is-new");
  feed.prepend(post);
  enhance(post);
  const detail = { postId: post.dataset.postId };
  document.dispatchEvent(new CustomEvent("murmur:post-inserted", { detail }));
  return post;
}

/** Swap a shown post for a newer rendering. Returns false when it is not on the page. */
export function replacePost(postId, html) {
  const current = findPost(postId);
  if (!current) return false;

  // The permalink shows full-size media; the event's html is the feed's version.
  if (current.closest("[data-permalink]")) {
    refreshPermalink(postId);
    return true;
  }
  const fresh = parsePost(html);
  if (!fresh) return false;
  current.replaceWith(fresh);
  enhance(fresh);
  return true;
}

async function refreshPermalink(postId) {
  try {
    const response = await fetch(location.href, { headers: { Accept: "text/html" } });
    if (!response.ok) return;
    const page = new DOMParser().parseFromString(await response.text(), "text/html");
    const fresh = page.getElementById(`post-${postId}`);
    const current = findPost(postId);
    if (!fresh || !current) return;
    current.replaceWith(document.adoptNode(fresh));
    enhance(fresh);
  } catch {
    // Offline for a moment: the page still shows the older rendering, which is harmless.
  }
}

export function markFailed(postId, reason) {
  const post = findPost(postId);
  if (!post) return;

  post.dataset.status = "failed";
  post.querySelector(".post-processing")?.remove();
  let note = post.querySelector(".post-failure");
  if (!note) {
    note = document.createElement("p");
    note.className = "post-note post-failure";
    post.append(note);
  }
  note.textContent =
    `This post couldn't be published: ${reason || "the media could not be processed."} ` +
    "Only you can see it. Delete it, then post again with another file.";
  enhance(post);
}

export function removePost(postId) {
  const post = findPost(postId);
  if (!post) return;

  // Keep keyboard users in place: focus moves to the neighbour, not back to <body>.
  const hadFocus = post.contains(document.activeElement);
  const neighbour = post.nextElementSibling ?? post.previousElementSibling;
  post.remove();
  if (hadFocus) focusPost(neighbour);
}

export function focusPost(post) {
  const target = post?.matches(".post") ? post : document.getElementById("main");
  if (!target) return;
  target.tabIndex = -1;
  target.focus({ preventScroll: true });
}

// ---------- Delete ----------

async function deletePost(post) {
  const postId = post.dataset.postId;
  let response;
  try {
    response = await fetch(`/api/v1/posts/${postId}`, {
      method: "DELETE",
      headers: { "X-CSRF-Token": csrfToken(), Accept: "application/json" },
    });
  } catch {
    toast(OFFLINE_MESSAGE, { error: true });
    return;
  }
  if (!response.ok && response.status !== 404) {
    toast(`Couldn't delete the post. ${await responseDetail(response)}`, { error: true });
    return;
  }

  if (post.closest("[data-permalink]")) {
    location.assign("/");
    return;
  }
  removePost(postId);
  toast("Post deleted.");
}

function confirmDelete(post) {
  const dialog = document.getElementById("confirm-delete");
  if (!dialog?.showModal) {
    deletePost(post);
    return;
  }
  dialog.returnValue = "";
  dialog.addEventListener("close", () => {
    if (dialog.returnValue === "delete") deletePost(post);
  }, { once: true });
  dialog.showModal();
}

// ---------- Lightbox ----------

function openLightbox(link) {
  const dialog = document.getElementById("lightbox");
  const image = dialog?.querySelector(".lightbox-image");
  if (!dialog?.showModal || !image) return false;

  image.src = link.href;
  image.alt = link.querySelector("img")?.alt ?? "";
  dialog.showModal();
  return true;
}

function initLightbox() {
  const dialog = document.getElementById("lightbox");
  if (!dialog) return;

  // A click on the dark surround (the dialog itself, not the image) closes it.
  dialog.addEventListener("click", (event) => {
    if (event.target === dialog) dialog.close();
  });
  dialog.addEventListener("close", () => {
    dialog.querySelector(".lightbox-image").removeAttribute("src");
  });
}

/** One delegated listener serves every post, including those added later. */
export function initPosts() {
  initLightbox();
  document.addEventListener("click", (event) => {
    const deleteButton = event.target.closest(".post-delete");
    if (deleteButton) {
      confirmDelete(deleteButton.closest(".post"));
      return;
    }

    const link = event.target.closest("a[data-lightbox]");
    const plainClick = !(event.ctrlKey || event.metaKey || event.shiftKey || event.button);
    if (link && plainClick && openLightbox(link)) {
      event.preventDefault();
    }
  });
  enhance(document);
}
