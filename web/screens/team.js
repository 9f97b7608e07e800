// The team list: every approved, shared bookmark, newest first, readable by any signed-in user, with who
// shared each (the display name they chose, never an email) and when it was published; and where the user
// sets the display name the team sees.

import { el, externalLink, replace, when } from "../dom.js";
import { Pager, listOrEmpty, loadFailed } from "../widgets.js";
import { displayNameForm } from "./sign-in.js";

const PAGE_SIZE = 10;

export function teamScreen(main, ctx) {
  const heading = el("h1", {}, "Team list");
  const list = el("div", { "aria-busy": "true" });
  const pager = new Pager({
    label: "Pages of the team list",
    heading,
    load: (cursor) => ctx.api.listTeam(cursor, PAGE_SIZE),
    show: (items) => listOrEmpty(list, items, row, "Nothing on the team list yet: share a bookmark and a moderator will review it."),
    onError: (error, retry) => {
      loadFailed(list, retry);
      ctx.fail(error);
    },
  });
  const you = el("details", { class: "display-name" },
    el("summary", {}, ctx.auth.user?.displayName
      ? `You appear here as “${ctx.auth.user.displayName}”`
      : "You have no display name yet: your links show without one"),
    displayNameForm(ctx, () => teamScreen(main, ctx)),
  );
  replace(main,
    heading,
    el("p", { class: "muted" }, "Links your team shared and a moderator approved."),
    you,
    list,
    pager.element,
  );
  pager.go(0);
}

/** Who shared it and when it was published, where the API says; older answers carry neither. */
function provenance(bookmark) {
  const parts = [
    bookmark.shared_by ? `Shared by ${bookmark.shared_by}` : "Shared by a teammate",
    bookmark.published_at ? `published ${when(bookmark.published_at)}` : null,
  ].filter(Boolean);
  const text = parts.length ? parts.join(", ") : `Added ${when(bookmark.created_at)}`;
  return text[0].toUpperCase() + text.slice(1);
}

function row(bookmark) {
  // h2: the items sit right under the page's h1 (no level skipped).
  return el("li", { class: "item", "data-id": bookmark.id },
    el("h2", { class: "item-title" }, externalLink(bookmark.url, bookmark.name)),
    el("p", { class: "url" }, bookmark.url),
    bookmark.description ? el("p", { class: "description" }, bookmark.description) : null,
    el("p", { class: "muted" }, provenance(bookmark)),
  );
}
