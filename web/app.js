// The shell of the single-page client: loads config.json, routes between screens by the URL's hash,
// sends signed-out users to sign in (and back where they were going), shows messages (messages.js) and
// progress while the API is slow, and puts focus on each new screen's heading.

import { Api, ApiError } from "./api.js";
import { Auth } from "./auth.js";
import { el, focusOn, replace } from "./dom.js";
import { Messages } from "./messages.js";
import { disclosureMenu } from "./widgets.js";
import { bookmarksScreen } from "./screens/bookmarks.js";
import { signInScreen } from "./screens/sign-in.js";
// feature: workflow
import { reviewsScreen } from "./screens/reviews.js";
import { teamScreen } from "./screens/team.js";
// end feature: workflow

// ``short``: the link's words on a phone, where the header stays one line.
const SCREENS = {
  "/bookmarks": { title: "My bookmarks", short: "Bookmarks", render: bookmarksScreen },
  // feature: workflow
  "/team": { title: "Team list", short: "Team", render: teamScreen },
  "/reviews": { title: "Review queue", short: "Review", render: reviewsScreen, moderatorsOnly: true },
  // end feature: workflow
};
const APP_NAME = "Linkshelf";
// Progress shows only for a call slower than this: a bar flashing on every quick answer is noise.
const PROGRESS_AFTER_MS = 400;
const SIGN_IN = "/sign-in";

const main = document.getElementById("main");
const messages = new Messages(document.getElementById("status"), document.getElementById("alert"));
const progress = document.getElementById("progress");
const app = { auth: null, api: null, config: null };
let leaveScreen = () => {};
let progressTimer = null;

/** What every screen gets: the API, the session, and ways to speak to the reader. */
function context() {
  return {
    ...app,
    /** Say what happened; ``action`` ({label, run}) adds a button, such as Undo. */
    say(text, action) {
      return messages.say(text, { action });
    },
    // What changed by itself (a status the watcher saw): spoken, but an error still to act on stays.
    notice(text) {
      messages.say(text, { keepError: true });
    },
    /** Show an error; with ``retry``, a Try again button that clears it when the retry succeeds and puts
     * focus back where the reader was (``retry`` answers true on success). */
    fail(error, retry) {
      if (error instanceof ApiError && error.status === 401) {
        sessionEnded();
        return;
      }
      if (!retry) {
        messages.fail(error.message);
        return;
      }
      const where = document.activeElement;
      messages.fail(error.message, async () => {
        if (await retry()) {
          messages.alert.hide();
          if (where?.isConnected && where !== document.body) focusOn(where);
        }
      });
    },
    /** Take back a message ``say`` showed, if it is still on screen. */
    unsay(shown) {
      messages.status.hideIf(shown);
    },
    clear() {
      messages.clear();
    },
    go(path) {
      location.hash = `#${path}`;
    },
  };
}

/** The bar under the header while a call is open for longer than PROGRESS_AFTER_MS. */
function showProgress(open) {
  clearTimeout(progressTimer);
  if (!open) {
    progress.hidden = true;
    return;
  }
  progressTimer = setTimeout(() => {
    progress.hidden = false;
  }, PROGRESS_AFTER_MS);
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
        el("a", { href: `#${to}`, "aria-current": to === path ? "page" : null, "aria-label": screen.title },
          el("span", { class: "long" }, screen.title), el("span", { class: "short" }, screen.short)),
      ),
  );
  const who = user.email;
  replace(
    account,
    disclosureMenu({
      label: "Account",
      buttonText: (who[0] ?? "?").toUpperCase(),
      buttonClass: "account-button",
      items: [
        el("p", { class: "who" }, "Signed in as ", el("strong", {}, who)),
        app.config.observability_url ? el("a", { href: app.config.observability_url }, "Observability (make local)") : null,
        el("button", { type: "button", onclick: signOut }, "Sign out"),
        app.config.demo_users
          ? el("p", { class: "note" }, "Locally, signing out cannot revoke the session's refresh token: the embedded Cognito has no RevokeToken.")
          : null,
      ],
    }),
  );
}

async function signOut() {
  const revoked = await app.auth.signOut();
  sessionStorage.setItem(
    "bookmarks.notice",
    revoked
      ? "You are signed out."
      : "You are signed out of this tab, but the sign-in service could not revoke your refresh token: it stays valid until it expires.",
  );
  location.hash = `#${SIGN_IN}`;
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
  // On the sign-in screen a notice about the session (ended, unreadable, signed out) waits to be read.
  if (notice) messages.say(notice, { stay: !screen });
  renderChrome(path);
  document.title = `${screen?.title ?? "Sign in"} · ${APP_NAME}`;
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
  app.api = new Api(app.config.api_url, app.auth, showProgress);
  window.addEventListener("hashchange", route);
  route();
}

start();
