// The moderators' review queue: approve a shared bookmark, or reject it with an optional reason (the
// submitter is told). It stays live: new submissions appear and decided ones leave without a reload, and
// a row being worked on (a reason half typed, focus on a button) is never redrawn under the moderator.
// The API checks the moderators group; the nav only hides what would fail.

import { ApiError } from "../api.js";
import { el, externalLink, focusOn, replace, when } from "../dom.js";
import { CHANGED, Poll, UNCHANGED } from "../watch.js";
import { field, loadFailed, whileBusy } from "../widgets.js";

export function reviewsScreen(main, ctx) {
  const heading = el("h1", {}, "Review queue");
  const list = el("div", { "aria-busy": "true" });
  const items = el("ul", { class: "items" });
  const empty = el("p", { class: "empty" }, "Nothing to review. New submissions appear here once they pass the automatic checks.");
  const rows = new Map(); // bookmark id -> <li>, in the queue's order
  const refresh = el("button", { type: "button", onclick: () => start() }, "Refresh");
  const poll = new Poll(() => load(), (error) => ctx.fail(error));

  replace(main,
    el("div", { class: "section-head" }, heading, refresh),
    el("p", { class: "muted" }, "Shared bookmarks waiting for a moderator, oldest first. New ones appear by themselves."),
    list,
  );
  start();

  /** Load the queue now, then keep it live; a failure says so in place of the list. */
  function start() {
    poll.stop();
    return load().then(() => poll.start(), (error) => {
      loadFailed(list, start);
      ctx.fail(error);
    });
  }

  /** Read the queue and bring the list in line with it; CHANGED when a row came or went. */
  async function load() {
    const { items: queue } = await ctx.api.listReviews();
    const ids = new Set(queue.map((review) => review.bookmark.id));
    let changed = false;
    for (const [id, item] of rows) {
      if (ids.has(id)) continue;
      leave(id, item);
      changed = true;
    }
    for (const review of queue) {
      if (rows.has(review.bookmark.id)) continue;
      rows.set(review.bookmark.id, row(review));
      changed = true;
    }
    items.replaceChildren(...queue.map((review) => rows.get(review.bookmark.id)));
    list.removeAttribute("aria-busy");
    if (!list.contains(queue.length ? items : empty)) replace(list, queue.length ? items : empty);
    return changed ? CHANGED : UNCHANGED;
  }

  /** A row leaves the queue; if focus was in it, it goes to the next row's heading (or the page's). */
  function leave(id, item) {
    const hadFocus = item.contains(document.activeElement);
    const next = item.nextElementSibling ?? item.previousElementSibling;
    rows.delete(id);
    item.remove();
    if (hadFocus) focusOn(next?.querySelector("h2") ?? heading);
  }

  function row({ bookmark, submitted_at: submittedAt }) {
    const reason = field({ name: "reason", label: "Reason (optional, sent to the submitter)", maxLength: 500 });
    const approve = el("button", { type: "button", class: "primary", onclick: () => decide("approve", approve), "aria-label": `Approve “${bookmark.name}”` }, "Approve");
    const reject = el("button", { type: "button", class: "danger", onclick: () => decide("reject", reject), "aria-label": `Reject “${bookmark.name}”` }, "Reject");
    const item = el("li", { class: "item", "data-id": bookmark.id },
      // h2: the items sit right under the page's h1 (no level skipped).
      el("h2", { class: "item-title" }, externalLink(bookmark.url, bookmark.name)),
      el("p", { class: "url" }, bookmark.url),
      bookmark.description ? el("p", { class: "description" }, bookmark.description) : null,
      el("p", { class: "muted" }, `Submitted ${when(submittedAt)}`),
      el("div", { class: "actions" }, approve),
      el("div", { class: "reject" }, reason.wrapper, reject),
    );

    function decide(decision, button) {
      ctx.clear();
      return whileBusy(button, async () => {
        try {
          await ctx.api.decide(bookmark.id, decision, decision === "reject" ? reason.input.value.trim() : "");
          ctx.say(`${decision === "approve" ? "Approved" : "Rejected"} “${bookmark.name}”.`);
        } catch (error) {
          if (!(error instanceof ApiError && error.status === 409)) {
            ctx.fail(error);
            return;
          }
          ctx.fail(new Error(`“${bookmark.name}” was already decided by another moderator.`));
        }
        leave(bookmark.id, item);
        if (!rows.size) replace(list, empty);
      });
    }
    return item;
  }

  return () => poll.stop();
}
