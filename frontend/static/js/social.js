// The social layer in the page: likes, comments, post edits, follows, profile editing and
// avatars, and the live messages about them (socialHandlers, used by live.js).
//
// Server-rendered posts and comments are viewer-neutral; this module applies what depends
// on the viewer (the Like button's pressed state, who may edit or delete what) to every
// post or comment that appears, however it arrives (page, load-more, live), by watching
// the DOM.

import {
  csrfToken, currentUserId, htmlToElements, OFFLINE_MESSAGE, responseDetail,
} from "./util.js";
import { refreshTimes } from "./time.js";
import { setUnread, toast } from "./notify.js";

const liked = new Set();
// Posts whose liked state is known (page data, our own clicks, or asked for).
const likeKnown = new Set();
let likeLookup = null;

// ---------- Viewer-dependent state ----------

function readInitialLikes() {
  const data = document.getElementById("viewer-likes");
  if (!data) return;
  try {
    for (const id of JSON.parse(data.textContent)) liked.add(String(id));
  } catch {
    return;
  }
  for (const post of document.querySelectorAll(".post")) likeKnown.add(post.dataset.postId);
}

function isMe(userId) {
  const me = currentUserId();
  return me !== "" && String(userId) === me;
}

/** Apply this viewer's state to posts and comments in root. */
function enhanceSocial(root) {
  const posts = root.matches?.(".post") ? [root] : [...root.querySelectorAll(".post")];
  const unknown = [];
  for (const post of posts) {
    const postId = post.dataset.postId;
    const edit = post.querySelector(".post-edit");
    if (edit) edit.hidden = !isMe(post.dataset.authorId);
    showLiked(post, liked.has(postId));
    if (!likeKnown.has(postId)) unknown.push(postId);
  }
  if (unknown.length) askLiked(unknown);

  const comments = root.matches?.(".comment") ? [root] : root.querySelectorAll(".comment");
  for (const comment of comments) {
    const button = comment.querySelector(".comment-delete");
    const allowed = isMe(comment.dataset.authorId) || isMe(comment.dataset.postAuthorId);
    if (button) button.hidden = !allowed;
  }
}

function showLiked(post, on) {
  const button = post.querySelector("[data-like]");
  if (button) button.setAttribute("aria-pressed", String(on));
}

function setLikeCount(postId, count) {
  for (const el of document.querySelectorAll(`#post-${postId} [data-like-count]`)) {
    el.textContent = String(count);
  }
}

function setCommentCount(postId, count) {
  for (const el of document.querySelectorAll(`#post-${postId} [data-comment-count]`)) {
    el.textContent = String(count);
  }
}

// Posts added by load-more come without the viewer's likes: ask once per batch.
function askLiked(postIds) {
  for (const id of postIds) likeKnown.add(id);
  const batch = likeLookup ?? { ids: [] };
  batch.ids.push(...postIds);
  if (likeLookup) return;
  likeLookup = batch;
  queueMicrotask(async () => {
    likeLookup = null;
    const ids = batch.ids.slice(0, 100).join(",");
    try {
      const response = await fetch(`/api/v1/me/likes?post_ids=${ids}`, {
        headers: { Accept: "application/json" },
      });
      if (!response.ok) return;
      for (const id of (await response.json()).liked) {
        liked.add(String(id));
        const post = document.getElementById(`post-${id}`);
        if (post) showLiked(post, true);
      }
    } catch {
      // Offline: the buttons show "not liked" until the next page load; a click still works.
    }
  });
}

function watchForNewContent() {
  // Posts and comments arrive from several places (live.js, feed.js, here); one observer
  // prepares them all.
  const observer = new MutationObserver((records) => {
    for (const record of records) {
      for (const node of record.addedNodes) {
        if (node.nodeType !== Node.ELEMENT_NODE) continue;
        if (node.matches(".post")) keepOpenComments(node);
        enhanceSocial(node);
      }
    }
  });
  observer.observe(document.getElementById("main") ?? document.body, {
    childList: true,
    subtree: true,
  });
}

// A post re-rendered while its comments were open (media finished) keeps them open.
const openComments = new Map();

function keepOpenComments(post) {
  const section = openComments.get(post.dataset.postId);
  const placeholder = post.querySelector(".comments");
  if (!section || section.isConnected || !placeholder) return;
  placeholder.replaceWith(section);
  post.querySelector("[data-comments-toggle]")?.setAttribute("aria-expanded", "true");
}

// ---------- Requests ----------

async function send(method, url, body) {
  const headers = { "X-CSRF-Token": csrfToken(), Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  let response;
  try {
    response = await fetch(url, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new Error(OFFLINE_MESSAGE);
  }
  if (!response.ok) throw new Error(await responseDetail(response));
  return response.status === 204 ? null : response.json();
}

// ---------- Likes ----------

async function toggleLike(button) {
  const post = button.closest(".post");
  const postId = post.dataset.postId;
  const wasLiked = liked.has(postId);
  if (button.dataset.busy) return;
  button.dataset.busy = "1";

  // Show it at once; the answer carries the real count.
  applyLiked(postId, !wasLiked);
  try {
    const state = await send(wasLiked ? "DELETE" : "PUT", `/api/v1/posts/${postId}/like`);
    applyLiked(postId, state.liked);
    setLikeCount(postId, state.like_count);
  } catch (error) {
    applyLiked(postId, wasLiked);
    toast(`Couldn't ${wasLiked ? "unlike" : "like"} the post. ${error.message}`, { error: true });
  } finally {
    delete button.dataset.busy;
  }
}

function applyLiked(postId, on) {
  likeKnown.add(postId);
  if (on) liked.add(postId);
  else liked.delete(postId);
  const post = document.getElementById(`post-${postId}`);
  if (post) showLiked(post, on);
}

// ---------- Comments ----------

async function openCommentsOf(toggle) {
  const post = toggle.closest(".post");
  const section = post.querySelector(".comments");
  if (!section) return;
  if (post.closest("[data-permalink]")) {
    section.querySelector("textarea")?.focus(); // always open on the post's own page
    return;
  }
  const opening = section.hidden || section.dataset.loaded !== "true";

  if (!opening) {
    section.hidden = true;
    toggle.setAttribute("aria-expanded", "false");
    openComments.delete(post.dataset.postId);
    return;
  }
  if (section.dataset.loaded !== "true") {
    try {
      const response = await fetch(`/posts/${post.dataset.postId}/comments`, {
        headers: { Accept: "text/html" },
      });
      if (!response.ok) throw new Error(await responseDetail(response));
      const fresh = htmlToElements(await response.text()).find((el) => el.matches(".comments"));
      if (!fresh) return;
      section.replaceWith(fresh);
      refreshTimes(fresh);
      enhanceSocial(fresh);
      openComments.set(post.dataset.postId, fresh);
      fresh.querySelector("textarea")?.focus();
    } catch (error) {
      const reason = error instanceof TypeError ? OFFLINE_MESSAGE : error.message;
      toast(`Couldn't load the comments. ${reason}`, { error: true });
      return;
    }
  } else {
    section.hidden = false;
    openComments.set(post.dataset.postId, section);
  }
  toggle.setAttribute("aria-expanded", "true");
}

/** Add a comment's html under its post if that post's comments are open; true if added. */
function insertComment(postId, html) {
  const list = document.querySelector(`#comments-${postId}[data-loaded="true"] [data-comment-list]`);
  const comment = htmlToElements(html).find((el) => el.matches(".comment"));
  if (!list || !comment || document.getElementById(comment.id)) return false;
  // "Show more" pending means older comments are not all here; newer ones still go last.
  list.append(comment);
  refreshTimes(comment);
  return true;
}

async function submitComment(form) {
  const post = form.closest(".post");
  const textarea = form.querySelector("textarea");
  const error = form.querySelector(".comment-error");
  const button = form.querySelector("button[type=submit]");
  const text = textarea.value.trim();
  if (!text) {
    error.textContent = "Write something before sending a comment.";
    return;
  }

  button.disabled = true;
  error.textContent = "";
  try {
    const created = await send("POST", `/api/v1/posts/${post.dataset.postId}/comments`, { text });
    if (insertComment(post.dataset.postId, created.html)) {
      const counter = post.querySelector("[data-comment-count]");
      if (counter) counter.textContent = String(Number(counter.textContent) + 1);
    }
    textarea.value = "";
  } catch (failure) {
    error.textContent = failure.message;
  } finally {
    button.disabled = false;
  }
}

async function deleteComment(button) {
  const comment = button.closest(".comment");
  if (!window.confirm("Delete this comment? This can't be undone.")) return;
  try {
    await send("DELETE", `/api/v1/comments/${comment.dataset.commentId}`);
  } catch (error) {
    if (!/no comment/i.test(error.message)) {
      toast(`Couldn't delete the comment. ${error.message}`, { error: true });
      return;
    }
  }
  removeComment(comment.dataset.commentId);
}

function removeComment(commentId) {
  document.getElementById(`comment-${commentId}`)?.remove();
}

async function showMoreComments(link) {
  const section = link.closest(".comments");
  try {
    const response = await fetch(link.href, { headers: { Accept: "text/html" } });
    if (!response.ok) throw new Error(await responseDetail(response));
    const fresh = htmlToElements(await response.text()).find((el) => el.matches(".comments"));
    const list = section.querySelector("[data-comment-list]");
    for (const comment of fresh?.querySelectorAll(".comment") ?? []) {
      if (!document.getElementById(comment.id)) list.append(comment);
    }
    refreshTimes(list);
    const next = fresh?.querySelector("[data-comments-more]");
    if (next) link.href = next.getAttribute("href");
    else link.remove();
  } catch (error) {
    toast(`Couldn't load more comments. ${error.message}`, { error: true });
  }
}

// ---------- Editing a post ----------

function startEdit(post) {
  if (post.querySelector(".post-edit-form")) return;
  const current = post.querySelector(".post-text");
  const form = document.createElement("form");
  form.className = "post-edit-form";
  form.noValidate = true;

  const label = document.createElement("label");
  label.className = "visually-hidden";
  label.htmlFor = `post-edit-${post.dataset.postId}`;
  label.textContent = "Post text";
  const textarea = document.createElement("textarea");
  textarea.id = `post-edit-${post.dataset.postId}`;
  textarea.rows = 3;
  textarea.value = current ? current.textContent : "";
  const error = document.createElement("p");
  error.className = "comment-error";
  error.setAttribute("role", "alert");
  const save = button("Save", "button primary small", "submit");
  const cancel = button("Cancel", "button ghost small", "button");
  const bar = document.createElement("div");
  bar.className = "post-edit-bar";
  bar.append(cancel, save);
  form.append(label, textarea, error, bar);

  (current ?? post.querySelector(".post-head")).after(form);
  if (current) current.hidden = true;
  textarea.focus();

  const close = () => {
    form.remove();
    if (current) current.hidden = false;
    post.querySelector(".post-edit")?.focus();
  };
  cancel.addEventListener("click", close);
  form.addEventListener("keydown", (event) => {
    if (event.key === "Escape") close();
  });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    save.disabled = true;
    try {
      const edited = await send("PATCH", `/api/v1/posts/${post.dataset.postId}`, {
        text: textarea.value,
      });
      form.remove();
      applyEdit(post.dataset.postId, edited.html);
    } catch (failure) {
      error.textContent = failure.message;
      save.disabled = false;
    }
  });
}

function button(text, className, type) {
  const el = document.createElement("button");
  el.type = type;
  el.className = className;
  el.textContent = text;
  return el;
}

/** Show a post's new text and "edited" mark in place: playing media and open comments stay. */
function applyEdit(postId, html) {
  const post = document.getElementById(`post-${postId}`);
  const fresh = htmlToElements(html).find((el) => el.matches(".post"));
  if (!post || !fresh) return;
  if (post.querySelector(".post-edit-form")) return; // the author is mid-edit here: theirs wins

  const oldText = post.querySelector(".post-text");
  const newText = fresh.querySelector(".post-text");
  if (oldText && newText) oldText.replaceWith(newText);
  else if (oldText) oldText.remove();
  else if (newText) post.querySelector(".post-head").after(newText);

  const sub = post.querySelector(".post-sub");
  const freshSub = fresh.querySelector(".post-sub");
  if (sub && freshSub) {
    sub.replaceWith(freshSub);
    refreshTimes(freshSub);
  }
}

// ---------- Follows and profiles ----------

async function toggleFollow(followButton) {
  const username = followButton.dataset.follow;
  const following = followButton.getAttribute("aria-pressed") === "true";
  followButton.disabled = true;
  try {
    const state = await send(following ? "DELETE" : "PUT", `/api/v1/users/${username}/follow`);
    showFollowing(state.following);
    const count = document.querySelector('.profile-card [data-count="followers"]');
    if (count) count.textContent = String(state.followers);
  } catch (error) {
    toast(`Couldn't ${following ? "unfollow" : "follow"} @${username}. ${error.message}`, {
      error: true,
    });
  } finally {
    followButton.disabled = false;
  }
}

function showFollowing(on) {
  const followButton = document.querySelector("[data-follow]");
  if (!followButton) return;
  followButton.setAttribute("aria-pressed", String(on));
  followButton.textContent = on ? "Following" : "Follow";
  followButton.classList.toggle("primary", !on);
  followButton.classList.toggle("ghost", on);
}

function initProfileForm() {
  const form = document.getElementById("profile-form");
  if (!form) return;
  const status = document.getElementById("profile-status");

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    status.textContent = "Saving…";
    try {
      await send("PATCH", "/api/v1/me", {
        display_name: form.elements.display_name.value,
        bio: form.elements.bio.value,
      });
      status.textContent = "Saved.";
    } catch (error) {
      status.textContent = error.message;
    }
  });

  form.elements.avatar.addEventListener("change", async () => {
    const file = form.elements.avatar.files[0];
    if (!file) return;
    status.textContent = "Uploading picture…";
    try {
      const upload = await uploadFile(file);
      await send("PUT", "/api/v1/me/avatar", { upload_id: upload.id });
      status.textContent = "Processing picture… It appears everywhere when ready.";
    } catch (error) {
      status.textContent = `Couldn't use that picture. ${error.message}`;
    }
    form.elements.avatar.value = "";
  });

  document.getElementById("profile-avatar-remove")?.addEventListener("click", async () => {
    try {
      await send("DELETE", "/api/v1/me/avatar");
      status.textContent = "Picture removed.";
    } catch (error) {
      status.textContent = error.message;
    }
  });
}

async function uploadFile(file) {
  let response;
  try {
    response = await fetch("/api/v1/uploads", {
      method: "POST",
      headers: {
        "X-CSRF-Token": csrfToken(),
        "Content-Type": "application/octet-stream",
        Accept: "application/json",
      },
      body: file,
    });
  } catch {
    throw new Error(OFFLINE_MESSAGE);
  }
  if (!response.ok) throw new Error(await responseDetail(response));
  return response.json();
}

/** Replace every avatar of a user with their picture, or their initial when url is "". */
function updateAvatars(userId, name, url, largeUrl) {
  for (const old of document.querySelectorAll(`[data-avatar-of="${userId}"]`)) {
    const size = old.style.getPropertyValue("--size") || "40px";
    const large = Number.parseInt(size, 10) > 96;
    const fresh = document.createElement(url ? "img" : "span");
    fresh.className = "avatar";
    fresh.dataset.avatarOf = String(userId);
    fresh.style.setProperty("--size", size);
    if (url) {
      fresh.classList.add("avatar-image");
      fresh.src = large && largeUrl ? largeUrl : url;
      fresh.alt = "";
      fresh.width = fresh.height = Number.parseInt(size, 10);
    } else {
      fresh.setAttribute("aria-hidden", "true");
      fresh.style.setProperty("--hue", String((Number(userId) * 47) % 360));
      fresh.textContent = (name || "?").slice(0, 1).toUpperCase();
    }
    old.replaceWith(fresh);
  }
}

// ---------- Live messages ----------

/** Whether the feed on this page shows posts by this author (a tab or a profile). */
export function feedAccepts(authorId) {
  const feed = document.getElementById("feed");
  const authors = feed?.dataset.liveAuthors;
  if (authors === undefined) return true;
  return authors.split(",").includes(String(authorId));
}

function setFeedAuthor(userId, following) {
  const feed = document.getElementById("feed");
  // A profile's feed is one person's whatever the viewer follows; only a tab changes.
  if (!feed || feed.dataset.liveAuthors === undefined || document.querySelector(".profile-card")) {
    return;
  }
  const authors = new Set(feed.dataset.liveAuthors.split(",").filter(Boolean));
  if (following) authors.add(String(userId));
  else authors.delete(String(userId));
  feed.dataset.liveAuthors = [...authors].join(",");
}

export const socialHandlers = {
  "post.edited"(message) {
    applyEdit(message.post_id, message.html);
  },
  "post.liked"(message) {
    setLikeCount(message.post_id, message.like_count);
    if (isMe(message.user_id)) applyLiked(String(message.post_id), message.liked);
  },
  "comment.created"(message) {
    insertComment(message.post_id, message.html);
    setCommentCount(message.post_id, message.comment_count);
  },
  "comment.deleted"(message) {
    removeComment(message.comment_id);
    setCommentCount(message.post_id, message.comment_count);
  },
  "user.updated"(message) {
    updateAvatars(
      message.user_id, message.display_name, message.avatar_url, message.avatar_large_url,
    );
    const names = `.post[data-author-id="${message.user_id}"] .display-name, ` +
      `[data-name-of="${message.user_id}"]`;
    for (const el of document.querySelectorAll(names)) el.textContent = message.display_name;
    const bio = document.querySelector(`[data-bio-of="${message.user_id}"]`);
    if (bio) {
      bio.textContent = message.bio;
      bio.hidden = !message.bio;
    }
    if (isMe(message.user_id) && message.avatar_url) {
      const status = document.getElementById("profile-status");
      if (status?.textContent.startsWith("Processing")) status.textContent = "Picture updated.";
    }
  },
  "follow.changed"(message) {
    setFeedAuthor(message.user_id, message.following);
    const card = document.querySelector(".profile-card");
    if (card && card.dataset.profileId === String(message.user_id)) showFollowing(message.following);
  },
  "notifications.read"(message) {
    setUnread(typeof message.unread === "number" ? message.unread : 0);
  },
};

// ---------- Wiring ----------

export function initSocial() {
  readInitialLikes();
  enhanceSocial(document);
  watchForNewContent();
  initProfileForm();

  document.addEventListener("click", (event) => {
    const target = event.target;
    const plain = !(event.ctrlKey || event.metaKey || event.shiftKey || event.button);

    const likeButton = target.closest("[data-like]");
    if (likeButton) {
      toggleLike(likeButton);
      return;
    }
    const toggle = target.closest("[data-comments-toggle]");
    if (toggle && plain) {
      event.preventDefault();
      openCommentsOf(toggle);
      return;
    }
    const more = target.closest("[data-comments-more]");
    if (more && plain) {
      event.preventDefault();
      showMoreComments(more);
      return;
    }
    const commentDelete = target.closest(".comment-delete");
    if (commentDelete) {
      deleteComment(commentDelete);
      return;
    }
    const edit = target.closest(".post-edit");
    if (edit) {
      startEdit(edit.closest(".post"));
      return;
    }
    const follow = target.closest("[data-follow]");
    if (follow) toggleFollow(follow);
  });

  document.addEventListener("submit", (event) => {
    const form = event.target.closest("[data-comment-form]");
    if (!form) return;
    event.preventDefault();
    submitComment(form);
  });
  document.addEventListener("keydown", (event) => {
    // Ctrl/Cmd+Enter sends a comment, as it sends a post.
    const form = event.target.closest?.("[data-comment-form]");
    if (form && event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      submitComment(form);
    }
  });
}
