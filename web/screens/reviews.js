// The moderators' review queue: approve a shared bookmark, or reject it with an optional reason
// (the submitter is told). The API checks the moderators group; the nav only hides what would fail.

import { ApiError } from "../api.js";
import { el, externalLink, replace, when } from "../dom.js";
import { field, listOrEmpty } from "../widgets.js";

export function reviewsScreen(main, ctx) {
  const list = el("div", { "aria-busy": "true" });
  const refresh = el("button", { type: "button", onclick: () => load() }, "Refresh");
  replace(main,
    el("div", { class: "section-head" }, el("h1", { tabindex: -1 }, "Review queue"), refresh),
    el("p", { class: "muted" }, "Shared bookmarks waiting for a moderator, oldest first."),
    list,
  );
  load();

  async function load() {
    try {
      const { items } = await ctx.api.listReviews();
      list.removeAttribute("aria-busy");
      listOrEmpty(list, items, row, "Nothing to review. New submissions appear here once they pass the automatic checks.");
    } catch (error) {
      ctx.fail(error);
    }
  }

  function row({ bookmark, submitted_at: submittedAt }) {
    const reason = field({ name: "reason", label: "Reason (optional, sent to the submitter)", maxLength: 500 });
    const item = el("li", { class: "item", "data-id": bookmark.id },
      el("h3", {}, externalLink(bookmark.url, bookmark.name)),
      el("p", { class: "url" }, bookmark.url),
      bookmark.description ? el("p", { class: "description" }, bookmark.description) : null,
      el("p", { class: "muted" }, `Submitted ${when(submittedAt)}`),
      el("div", { class: "actions" },
        el("button", { type: "button", class: "primary", onclick: () => decide("approve"), "aria-label": `Approve “${bookmark.name}”` }, "Approve"),
      ),
      el("div", { class: "reject" },
        reason.wrapper,
        el("button", { type: "button", class: "danger", onclick: () => decide("reject"), "aria-label": `Reject “${bookmark.name}”` }, "Reject"),
      ),
    );

    async function decide(decision) {
      ctx.clear();
      for (const button of item.querySelectorAll("button")) button.disabled = true;
      try {
        await ctx.api.decide(bookmark.id, decision, decision === "reject" ? reason.input.value.trim() : "");
        ctx.say(`${decision === "approve" ? "Approved" : "Rejected"} “${bookmark.name}”.`);
        await load();
      } catch (error) {
        if (error instanceof ApiError && error.status === 409) {
          ctx.fail(new Error(`“${bookmark.name}” was already decided by another moderator.`));
          await load();
          return;
        }
        ctx.fail(error);
        for (const button of item.querySelectorAll("button")) button.disabled = false;
      }
    }
    return item;
  }
}
