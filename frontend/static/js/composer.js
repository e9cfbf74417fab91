// The composer: post text with a code-point counter; files picked, dropped or pasted, each
// previewed with alt text and a remove button; client-side limits (the server decides in
// the end); raw-body uploads with per-file progress; then the post, shown at the top.

import {
  csrfToken, detailFromText, formatBytes, OFFLINE_MESSAGE, responseDetail,
} from "./util.js";
import { insertAtTop } from "./posts.js";

const VIDEO_EXTENSIONS = /\.(mp4|m4v|mov|webm|mkv|avi|3gp)$/i;
const IMAGE_EXTENSIONS = /\.(jpe?g|png|gif|webp|avif|heic|heif|bmp|tiff?)$/i;

/** Characters as people count them: code points, so an emoji is 1, not 2. */
export function countChars(text) {
  return [...text].length;
}

function kindOf(file) {
  if (file.type.startsWith("video/")) return "video";
  if (file.type.startsWith("image/")) return "image";
  if (VIDEO_EXTENSIONS.test(file.name)) return "video";
  if (IMAGE_EXTENSIONS.test(file.name)) return "image";
  return null;
}

export function initComposer(form) {
  const limits = {
    text: Number(form.dataset.maxText),
    images: Number(form.dataset.maxImages),
    imageBytes: Number(form.dataset.maxImageBytes),
    videoBytes: Number(form.dataset.maxVideoBytes),
  };
  const textarea = form.querySelector("#composer-text");
  const counter = form.querySelector("#composer-count");
  const list = form.querySelector("#composer-files");
  const errorBox = form.querySelector("#composer-error");
  const picker = form.querySelector("#composer-input");
  const pickButton = form.querySelector("#composer-pick");
  const submitButton = form.querySelector("#composer-submit");

  // Each: { file, kind, url, row, alt (input|null), progress, status (text beside the bar),
  // uploadId (null until sent) }.
  let items = [];
  let sending = false;

  // ---------- Text ----------

  function updateCounter() {
    const used = countChars(textarea.value);
    counter.querySelector(".count-visual").textContent = `${used} / ${limits.text}`;
    counter.querySelector(".count-spoken").textContent = `${used} of ${limits.text} characters used`;
    counter.classList.toggle("is-over", used > limits.text);
    counter.classList.toggle("is-near", used <= limits.text && used >= limits.text * 0.9);
  }

  function showError(text) {
    errorBox.textContent = text;
  }

  // ---------- Files ----------

  /** Why file cannot join the post as it stands, or "" when it can. */
  function refusal(file, kind) {
    const name = `“${file.name}”`;
    const images = items.filter((item) => item.kind === "image").length;
    const hasVideo = items.some((item) => item.kind === "video");

    if (!kind) return `${name} isn't an image or a video, so it can't be attached.`;
    if (kind === "video" && hasVideo) return "A post can carry one video. Remove the current one first.";
    if (kind === "video" && images) {
      return `A post can have up to ${limits.images} images or one video, not both. Remove the images first.`;
    }
    if (kind === "image" && hasVideo) {
      return `A post can have up to ${limits.images} images or one video, not both. Remove the video first.`;
    }
    if (kind === "image" && images >= limits.images) {
      return `A post can have up to ${limits.images} images; ${name} was left out.`;
    }
    const max = kind === "video" ? limits.videoBytes : limits.imageBytes;
    if (file.size > max) {
      return `${name} is ${formatBytes(file.size)}; ${kind}s can be up to ${formatBytes(max)}.`;
    }
    if (file.size === 0) return `${name} is empty.`;
    return "";
  }

  function addFiles(files) {
    if (sending) return;
    const problems = [];
    for (const file of files) {
      const kind = kindOf(file);
      const problem = refusal(file, kind);
      if (problem) problems.push(problem);
      else addItem(file, kind);
    }
    showError(problems.join(" "));
    list.hidden = items.length === 0;
  }

  function addItem(file, kind) {
    const url = URL.createObjectURL(file);
    const row = document.createElement("li");
    row.className = "attachment";

    const thumb = document.createElement("div");
    thumb.className = "attachment-thumb";
    thumb.append(previewElement(kind, url, thumb, file.name));

    const body = document.createElement("div");
    body.className = "attachment-body";
    const name = document.createElement("span");
    name.className = "attachment-name";
    name.textContent = `${file.name} · ${formatBytes(file.size)}`;
    body.append(name);

    let alt = null;
    if (kind === "image") {
      const label = document.createElement("label");
      label.className = "attachment-alt";
      const forWhom = document.createElement("span");
      forWhom.className = "visually-hidden";
      forWhom.textContent = ` for ${file.name}`;
      label.append("Alt text", forWhom);
      alt = document.createElement("input");
      alt.type = "text";
      alt.maxLength = 500;
      alt.placeholder = "Describe it for people who can't see it";
      label.append(alt);
      body.append(label);
    }

    const progress = document.createElement("progress");
    progress.max = 100;
    progress.value = 0;
    progress.hidden = true;
    progress.setAttribute("aria-label", `Upload progress of ${file.name}`);
    const status = document.createElement("span");
    status.className = "attachment-status";
    body.append(progress, status);

    const remove = document.createElement("button");
    remove.type = "button";
    remove.className = "icon-button attachment-remove";
    remove.setAttribute("aria-label", `Remove ${file.name}`);
    remove.innerHTML =
      '<svg aria-hidden="true" viewBox="0 0 24 24" width="18" height="18">' +
      '<path d="M6 6l12 12M18 6 6 18" stroke="currentColor" stroke-width="2" ' +
      'stroke-linecap="round"/></svg>';

    row.append(thumb, body, remove);
    list.append(row);

    const item = { file, kind, url, row, alt, progress, status, uploadId: null };
    remove.addEventListener("click", () => removeItem(item));
    items.push(item);
  }

  function previewElement(kind, url, thumb, name) {
    const unavailable = () => thumb.replaceChildren(kind === "video" ? "Video" : "No preview");
    if (kind === "video") {
      // The #t fragment makes the browser paint a frame instead of a blank box.
      const video = document.createElement("video");
      video.muted = true;
      video.playsInline = true;
      video.preload = "metadata";
      video.src = `${url}#t=0.1`;
      video.addEventListener("error", unavailable);
      return video;
    }
    const image = document.createElement("img");
    image.alt = `Preview of ${name}`;
    image.src = url;
    image.addEventListener("error", unavailable); // e.g. HEIC, which browsers can't draw
    return image;
  }

  function removeItem(item) {
    if (sending) return;
    const index = items.indexOf(item);
    URL.revokeObjectURL(item.url);
    item.row.remove();
    items = items.filter((other) => other !== item);
    list.hidden = items.length === 0;
    showError("");

    // Focus the next file's remove button, or the picker when none is left.
    const next = items[Math.min(index, items.length - 1)];
    (next ? next.row.querySelector(".attachment-remove") : pickButton).focus();
  }

  function clear() {
    for (const item of items) URL.revokeObjectURL(item.url);
    items = [];
    list.replaceChildren();
    list.hidden = true;
    textarea.value = "";
    updateCounter();
    showError("");
  }

  // ---------- Sending ----------

  function setSending(flag) {
    sending = flag;
    form.setAttribute("aria-busy", String(flag));
    submitButton.disabled = flag;
    submitButton.textContent = flag ? "Posting…" : "Post";
    pickButton.disabled = flag;
    textarea.readOnly = flag;
    for (const item of items) {
      item.row.querySelector(".attachment-remove").disabled = flag;
      if (item.alt) item.alt.readOnly = flag;
    }
  }

  /** The words beside a file's bar; is-failed marks the row whose upload was refused. */
  function setStatus(item, text, failed = false) {
    item.status.textContent = text;
    item.row.classList.toggle("is-failed", failed);
  }

  function upload(item) {
    const { file, progress } = item;
    progress.hidden = false;
    progress.value = 0;
    setStatus(item, "Uploading…");

    return new Promise((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      xhr.open("POST", "/api/v1/uploads");
      xhr.setRequestHeader("X-CSRF-Token", csrfToken());
      xhr.setRequestHeader("Content-Type", "application/octet-stream");
      xhr.setRequestHeader("Accept", "application/json");

      xhr.upload.addEventListener("progress", (event) => {
        if (!event.lengthComputable) return;
        progress.value = (event.loaded / event.total) * 100;
        setStatus(item, `Uploading… ${formatBytes(event.loaded)} of ${formatBytes(event.total)}`);
      });
      // Every byte is sent; the server is now checking the file, which takes a moment.
      xhr.upload.addEventListener("load", () => {
        progress.removeAttribute("value");
        setStatus(item, "Checking the file…");
      });

      xhr.addEventListener("load", () => {
        if (xhr.status === 201 || xhr.status === 200) {
          progress.value = 100;
          setStatus(item, "Uploaded");
          resolve(JSON.parse(xhr.responseText));
        } else {
          progress.hidden = true;
          setStatus(item, "Not uploaded: see the message below", true);
          const detail = detailFromText(xhr.status, xhr.responseText);
          reject(new Error(`Couldn't upload “${file.name}”: ${detail}`));
        }
      });
      xhr.addEventListener("error", () => {
        progress.hidden = true;
        setStatus(item, "Not uploaded: see the message below", true);
        reject(new Error(`Couldn't upload “${file.name}”: the connection dropped. Try again.`));
      });
      xhr.send(file);
    });
  }

  async function createPost(text) {
    const attachments = items.map((item) => ({
      upload_id: item.uploadId,
      alt_text: item.alt ? item.alt.value.trim() : "",
    }));
    const response = await fetch("/api/v1/posts", {
      method: "POST",
      headers: {
        "Content-Type": "application/json",
        Accept: "application/json",
        "X-CSRF-Token": csrfToken(),
      },
      body: JSON.stringify({ text, attachments }),
    });
    if (!response.ok) throw new Error(await responseDetail(response));
    return response.json();
  }

  async function submit(event) {
    event.preventDefault();
    if (sending) return;

    const text = textarea.value.trim();
    const used = countChars(text);
    if (!text && items.length === 0) {
      showError("Write something or attach a photo or video first.");
      textarea.focus();
      return;
    }
    if (used > limits.text) {
      const over = used - limits.text;
      showError(`Your post is ${over} ${over === 1 ? "character" : "characters"} over the ${limits.text}-character limit.`);
      textarea.focus();
      return;
    }

    showError("");
    setSending(true);
    try {
      // Uploads already accepted are kept, so a retry after a failure sends only the rest.
      for (const item of items) {
        if (item.uploadId === null) item.uploadId = (await upload(item)).id;
      }
      const created = await createPost(text);
      if (created.html) insertAtTop(created.html);
      setSending(false);
      clear();
      textarea.focus();
    } catch (error) {
      setSending(false);
      showError(error instanceof TypeError ? OFFLINE_MESSAGE : error.message);
    }
  }

  // ---------- Wiring ----------

  textarea.addEventListener("input", () => {
    updateCounter();
    // An error about the previous text is stale once the reader edits it.
    if (!sending) showError("");
  });
  textarea.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
  textarea.addEventListener("paste", (event) => {
    const files = [...(event.clipboardData?.files ?? [])];
    if (files.length) {
      event.preventDefault();
      addFiles(files);
    }
  });

  pickButton.addEventListener("click", () => picker.click());
  picker.addEventListener("change", () => {
    addFiles([...picker.files]);
    picker.value = ""; // so choosing the same file again still fires "change"
  });

  // dragenter/dragleave fire for every child crossed, so count them to know when we left.
  let dragDepth = 0;
  const carriesFiles = (event) => event.dataTransfer?.types.includes("Files");
  form.addEventListener("dragenter", (event) => {
    if (!carriesFiles(event) || sending) return;
    event.preventDefault();
    dragDepth += 1;
    form.classList.add("is-dragover");
  });
  form.addEventListener("dragover", (event) => {
    if (!carriesFiles(event) || sending) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "copy";
  });
  form.addEventListener("dragleave", () => {
    dragDepth = Math.max(0, dragDepth - 1);
    if (dragDepth === 0) form.classList.remove("is-dragover");
  });
  form.addEventListener("drop", (event) => {
    event.preventDefault();
    dragDepth = 0;
    form.classList.remove("is-dragover");
    addFiles([...event.dataTransfer.files]);
  });
  // A file dropped beside the composer must not make the browser navigate away to it.
  for (const type of ["dragover", "drop"]) {
    window.addEventListener(type, (event) => {
      if (carriesFiles(event) && !form.contains(event.target)) event.preventDefault();
    });
  }

  form.addEventListener("submit", submit);

  if (/Mac|iPhone|iPad/.test(navigator.platform)) {
    form.querySelector("#composer-hint kbd")?.replaceChildren("⌘");
  }
  updateCounter();
}
