// The team list: every approved, shared bookmark, newest first, readable by any signed-in user.

import { el, externalLink, replace, when } from "../dom.js";
import { Pager, listOrEmpty } from "../widgets.js";

const PAGE_SIZE = 10;

export function teamScreen(main, ctx) {
  const list = el("div", { "aria-busy": "true" });
  const pager = new Pager({
    label: "Pages of the team list",
    load: (cursor) => ctx.api.listTeam(cursor, PAGE_SIZE),
    show: (items) => {
      list.removeAttribute("aria-busy");
      listOrEmpty(list, items, row, "Nothing on the team list yet: share a bookmark and a moderator will review it.");
    },
    onError: (error) => ctx.fail(error),
  });
  replace(main,
    el("h1", { tabindex: -1 }, "Team list"),
    el("p", { class: "muted" }, "Links your team shared and a moderator approved."),
    list,
    pager.element,
  );
  pager.go(0);
}

function row(bookmark) {
  return el("li", { class: "item", "data-id": bookmark.id },
    el("h3", {}, externalLink(bookmark.url, bookmark.name)),
    el("p", { class: "url" }, bookmark.url),
    bookmark.description ? el("p", { class: "description" }, bookmark.description) : null,
    el("p", { class: "muted" }, `Shared ${when(bookmark.created_at)}`),
  );
}
