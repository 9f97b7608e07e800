// Pieces the screens share: labelled fields with their errors, cursor paging, and contest status badges.

import { el, replace } from "./dom.js";

let fieldCount = 0;

/** A labelled input (or textarea) whose error is announced with it (aria-describedby). */
export function field({ name, label, type = "text", hint, multiline = false, ...attributes }) {
  const id = `field-${name}-${++fieldCount}`;
  const errorId = `${id}-error`;
  const hintId = hint ? `${id}-hint` : null;
  const input = el(multiline ? "textarea" : "input", {
    id,
    name,
    ...(multiline ? {} : { type }),
    "aria-describedby": [hintId, errorId].filter(Boolean).join(" "),
    ...attributes,
  });
  const error = el("p", { id: errorId, class: "field-error", hidden: true });
  const wrapper = el("div", { class: "field" },
    el("label", { for: id }, label),
    hint ? el("span", { id: hintId, class: "hint" }, hint) : null,
    input,
    error,
  );
  return { wrapper, input, error };
}

/** Show each {field, problem} next to its input; returns the problems no input claimed. */
export function showFieldErrors(fields, problems) {
  clearFieldErrors(fields);
  const unclaimed = [];
  let first = null;
  for (const { field: name, problem } of problems) {
    const target = fields[name.split(".")[0]];
    if (!target) {
      unclaimed.push(`${name} ${problem}`);
      continue;
    }
    target.error.textContent = `${target.wrapper.querySelector("label").textContent}: ${problem}.`;
    target.error.hidden = false;
    target.input.setAttribute("aria-invalid", "true");
    first ??= target.input;
  }
  first?.focus();
  return unclaimed;
}

export function clearFieldErrors(fields) {
  for (const { input, error } of Object.values(fields)) {
    input.removeAttribute("aria-invalid");
    error.hidden = true;
    error.textContent = "";
  }
}

/**
 * Cursor paging: ``load(cursor)`` fetches a page ({items, next_cursor}); ``show(items)`` renders it.
 * Remembers the cursors behind so Previous works without the API paging backwards.
 */
export class Pager {
  constructor({ label, load, show, onError }) {
    this.load = load;
    this.show = show;
    this.onError = onError;
    this.cursors = [null];
    this.next = null;
    this.previousButton = el("button", { type: "button", onclick: () => this.go(this.cursors.length - 2) }, "← Newer");
    this.nextButton = el("button", { type: "button", onclick: () => this.go(this.cursors.length) }, "Older →");
    this.position = el("span", { class: "muted" });
    this.element = el("nav", { class: "pager", "aria-label": label }, this.previousButton, this.position, this.nextButton);
  }

  /** Load page ``index`` (0 is the newest); ``refresh()`` reloads the current one. */
  async go(index) {
    const cursor = index < this.cursors.length ? this.cursors[index] : this.next;
    try {
      const page = await this.load(cursor);
      this.cursors = [...this.cursors.slice(0, index), cursor];
      this.next = page.next_cursor;
      this.show(page.items);
      this.previousButton.disabled = index === 0;
      this.nextButton.disabled = !this.next;
      this.position.textContent = `Page ${index + 1}`;
      this.element.hidden = index === 0 && !this.next;
    } catch (error) {
      this.onError(error);
    }
  }

  refresh() {
    return this.go(this.cursors.length - 1);
  }
}

const STATUS = {
  none: ["Not shared", "none"],
  entering: ["Entering the contest…", "pending"],
  entered: ["In the contest: waiting for a moderator", "pending"],
  duplicate: ["Duplicate: this link was already submitted", "refused"],
  invalid: ["Not accepted: its domain is not on the allowed list", "refused"],
  approved: ["Approved: on the team list", "approved"],
  rejected: ["Rejected by a moderator", "refused"],
};
export const SETTLED = new Set(["duplicate", "invalid", "approved", "rejected"]);

/** The contest status as a badge, and whether it may still change. */
export function statusBadge(bookmark) {
  const [text, tone] = STATUS[bookmark.contest_status] ?? [bookmark.contest_status, "none"];
  const shown = bookmark.shared && bookmark.contest_status === "none" ? "Shared: entering the contest…" : text;
  return el("span", { class: `badge badge-${bookmark.shared && tone === "none" ? "pending" : tone}` }, shown);
}

/** A list, or a friendly line when it is empty. */
export function listOrEmpty(container, items, render, emptyText) {
  replace(container, items.length ? el("ul", { class: "items" }, items.map(render)) : el("p", { class: "empty" }, emptyText));
}
