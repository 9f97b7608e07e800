// The shell of the single-page client: loads config.json, routes between screens by the URL's hash,
// sends signed-out users to sign in (and back where they were going), shows status and errors in two
// live regions that stay in view, and puts focus on each new screen's heading.

import { Api, ApiError } from "./api.js";
import { Auth } from "./auth.js";
import { el, focusOn, replace } from "./dom.js";
import { bookmarksScreen } from "./screens/bookmarks.js";
import { signInScreen } from "./screens/sign-in.js";
// feature: workflow
import { reviewsScreen } from "./screens/reviews.js";
import { teamScreen } from "./screens/team.js";
// end feature: workflow

const SCREENS = {
  "/bookmarks": { title: "My bookmarks", render: bookmarksScreen },
  // feature: workflow
  "/team": { title: "Team list", render: teamScreen },
  "/reviews": { title: "Review queue", render: reviewsScreen, moderatorsOnly: true },
  // end feature: workflow
};
const SIGN_IN = "/sign-in";

const main = document.getElementById("main");
const statusRegion = document.getElementById("status");
const alertRegion = document.getElementById("alert");
const app = { auth: null, api: null, config: null };
let leaveScreen = () => {};

/** What every screen gets: the API, the session, and ways to speak to the reader. */
function context() {
  return {
    ...app,
    say(text) {
      alertRegion.hidden = true;
      tell(text);
    },
    // What changed by itself (a status the watcher saw): spoken, but an error still to act on stays.
    notice: tell,
    fail(error) {
      if (error instanceof ApiError && error.status === 401) {
        sessionEnded();
        return;
      }
      statusRegion.hidden = true;
      alertRegion.textContent = error.message;
      alertRegion.hidden = false;
    },
    clear() {
      statusRegion.hidden = true;
      alertRegion.hidden = true;
    },
    go(path) {
      location.hash = `#${path}`;
    },
  };
}

function tell(text) {
  statusRegion.textContent = text;
  statusRegion.hidden = !text;
}

function sessionEnded() {
  app.auth.forget();
  sessionStorage.setItem("bookmarks.notice", "Your session has ended: sign in again.");
  // Routing the page they are on as a signed-out user remembers it, and signing in comes back to it.
  route();
}

function renderChrome(path) {
  const nav = document.getElementById("nav");
  const account = document.getElementById("account");
  const user = app.auth.user;
  nav.hidden = account.hidden = !user;
  if (!user) return;
  replace(
    nav,
    Object.entries(SCREENS)
      // feature: workflow
      .filter(([, screen]) => !screen.moderatorsOnly || user.moderator)
      // end feature: workflow
      .map(([to, screen]) =>
        el("a", { href: `#${to}`, "aria-current": to === path ? "page" : null }, screen.title),
      ),
  );
  replace(
    account,
    el("span", { class: "who" }, user.email),
    el("button", {
      type: "button",
      onclick: async () => {
        await app.auth.signOut();
        sessionStorage.setItem("bookmarks.notice", "You are signed out.");
        location.hash = `#${SIGN_IN}`;
      },
    }, "Sign out"),
  );
}

function route() {
  leaveScreen();
  leaveScreen = () => {};
  const ctx = context();
  const requested = location.hash.replace(/^#/, "") || "/bookmarks";
  const path = !app.auth.signedIn ? SIGN_IN : requested in SCREENS ? requested : "/bookmarks";
  if (requested !== path && path === SIGN_IN && requested !== SIGN_IN) {
    sessionStorage.setItem("bookmarks.after", requested);
    sessionStorage.setItem("bookmarks.notice", sessionStorage.getItem("bookmarks.notice") ?? "Sign in to continue.");
  }
  if (`#${path}` !== location.hash) history.replaceState(null, "", `#${path}`);
  const screen = SCREENS[path];
  // feature: workflow
  if (screen?.moderatorsOnly && !app.auth.user.moderator) {
    ctx.go("/bookmarks");
    return;
  }
  // end feature: workflow
  ctx.clear();
  const notice = sessionStorage.getItem("bookmarks.notice");
  sessionStorage.removeItem("bookmarks.notice");
  if (notice) ctx.say(notice);
  renderChrome(path);
  document.title = `${screen?.title ?? "Sign in"} · Bookmarks`;
  main.replaceChildren();
  const onSignedIn = () => {
    const after = sessionStorage.getItem("bookmarks.after");
    sessionStorage.removeItem("bookmarks.after");
    ctx.go(after && after in SCREENS ? after : "/bookmarks");
  };
  leaveScreen = (screen ? screen.render(main, ctx) : signInScreen(main, ctx, onSignedIn)) ?? (() => {});
  focusOn(main.querySelector("h1"));
}

async function start() {
  try {
    const response = await fetch("config.json", { cache: "no-store" });
    if (!response.ok) throw new Error(String(response.status));
    app.config = await response.json();
  } catch {
    replace(main, el("p", { class: "message message-error", role: "alert" },
      "config.json is missing: run `make local`, or `make web-publish` for a deployed stack."));
    return;
  }
  app.auth = new Auth(app.config);
  app.api = new Api(app.config.api_url, app.auth);
  window.addEventListener("hashchange", route);
  route();
}

start();
