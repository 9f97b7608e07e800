// The moderators' review queue: approve a shared bookmark, or reject it with an optional reason (the
// submitter is told). It stays live: new submissions appear and decided ones leave without a reload, and
// a row being worked on (a reason half typed, focus on a button) is never redrawn under the moderator.
// The API checks the moderators group; the nav only hides what would fail. A moderator's own submission is
// shown but not theirs to decide (four eyes): another moderator decides it.

import { ApiError } from "../api.js";
import { el, externalLink, focusOn, replace, when } from "../dom.js";
import { CHANGED, Poll, UNCHANGED } from "../watch.js";
import { field, loadFailed, whileBusy } from "../widgets.js";

// The queue pages (oldest first); a screen reads this many pages at most, then says there is more.
const MAX_PAGES = 10;

export function reviewsScreen(main, ctx) {
  const heading = el("h1", {}, "Review queue");
  const list = el("div", { "aria-busy": "true" });
  const items = el("ul", { class: "items" });
  const empty = el("p", { class: "empty" }, "Nothing to review. New submissions appear here once they pass the automatic checks.");
  const rows = new Map(); // bookmark id @ version -> <li>, in the queue's order
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
    const queue = [];
    let cursor = null;
    for (let page = 0; page < MAX_PAGES; page++) {
      const answer = await ctx.api.listReviews(cursor, 100);
      queue.push(...answer.items);
      cursor = answer.next_cursor;
      if (!cursor) break;
    }
    // A row is one version: an edit (a new submitted_at) replaces it, so nobody decides a version unseen.
    const key = (review) => `${review.bookmark.id}@${review.submitted_at}`;
    const ids = new Set(queue.map(key));
    let changed = false;
    for (const [id, item] of rows) {
      if (ids.has(id)) continue;
      leave(id, item);
      changed = true;
    }
    for (const review of queue) {
      if (rows.has(key(review))) continue;
      rows.set(key(review), row(review));
      changed = true;
    }
    items.replaceChildren(...queue.map((review) => rows.get(key(review))));
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

  function row({ bookmark, submitted_at: submittedAt, yours }) {
    const reason = field({ name: "reason", label: "Reason (optional, sent to the submitter)", maxLength: 500 });
    const approve = el("button", { type: "button", class: "primary", onclick: () => decide("approve", approve), "aria-label": `Approve “${bookmark.name}”` }, "Approve");
    const reject = el("button", { type: "button", class: "danger", onclick: () => decide("reject", reject), "aria-label": `Reject “${bookmark.name}”` }, "Reject");
    const item = el("li", { class: "item", "data-id": bookmark.id },
      // h2: the items sit right under the page's h1 (no level skipped).
      el("h2", { class: "item-title" }, externalLink(bookmark.url, bookmark.name)),
      el("p", { class: "url" }, bookmark.url),
      bookmark.description ? el("p", { class: "description" }, bookmark.description) : null,
      el("p", { class: "muted" }, `Submitted ${when(submittedAt)}`),
      ...(yours
        ? [el("p", { class: "hint" }, "You shared this one: another moderator decides it.")]
        : [el("div", { class: "actions" }, approve), el("div", { class: "reject" }, reason.wrapper, reject)]),
    );

    function decide(decision, button) {
      ctx.clear();
      return whileBusy(button, async () => {
        try {
          await ctx.api.decide(bookmark.id, decision, decision === "reject" ? reason.input.value.trim() : "", submittedAt);
          ctx.say(`${decision === "approve" ? "Approved" : "Rejected"} “${bookmark.name}”.`);
        } catch (error) {
          if (!(error instanceof ApiError && error.status === 409)) {
            ctx.fail(error);
            return;
          }
          // Decided by another moderator, or deleted or unshared by its owner: the API says which.
          ctx.fail(new Error(`“${bookmark.name}”: ${error.message}`));
        }
        leave(`${bookmark.id}@${submittedAt}`, item);
        if (!rows.size) replace(list, empty);
      });
    }
    return item;
  }

  return () => poll.stop();
}
