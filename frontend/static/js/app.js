// Entry point: wires up whichever parts of Murmur the current page contains.

import { startClock } from "./time.js";
import { initNotifications } from "./notify.js";
import { initPosts } from "./posts.js";
import { initFeed } from "./feed.js";
import { initComposer } from "./composer.js";
import { startLive } from "./live.js";

startClock();
initNotifications();
initPosts();

const feed = document.getElementById("feed");
if (feed) initFeed(feed);

const composer = document.getElementById("composer");
if (composer) initComposer(composer);

if (feed || document.querySelector("[data-permalink]")) startLive();
