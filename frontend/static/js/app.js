// Entry point: wires up whichever parts of Murmur the current page contains.

import { startClock } from "./time.js";
import { initNotifications } from "./notify.js";
import { initPosts } from "./posts.js";
import { initFeed } from "./feed.js";
import { initComposer } from "./composer.js";
import { startLive } from "./live.js";
import { initSocial } from "./social.js";

startClock();
initNotifications();
initPosts();
initSocial();

const feed = document.getElementById("feed");
if (feed) initFeed(feed);

const composer = document.getElementById("composer");
if (composer) initComposer(composer);

// Every logged-in page listens: notifications reach all of a user's open tabs.
if (feed || document.querySelector("[data-permalink]") || document.body.dataset.userId) {
  startLive();
}
