// Pieces the screens share: labelled fields with their errors, warnings and character counters, busy
// buttons, menus, cursor paging, lists that show placeholders while loading and say when they are empty
// or failed, and the contest status in words.

import { el, focusOn, replace } from "./dom.js";

let fieldCount = 0;

/**
 * A labelled input (or textarea) whose error, warning and hint are announced with it (aria-describedby).
 * ``limit``: the most characters the API takes; a counter shows how many are used, and nothing typed is
 * cut (an over-long value is refused by the form's check, by its field, with the count).
 */
export function field({ name, label, type = "text", hint, multiline = false, limit, ...attributes }) {
  const id = `field-${name}-${++fieldCount}`;
  const errorId = `${id}-error`;
  const warningId = `${id}-warning`;
  const hintId = hint ? `${id}-hint` : null;
  const counterId = limit ? `${id}-counter` : null;
  const input = el(multiline ? "textarea" : "input", {
    id,
    name,
    ...(multiline ? {} : { type }),
    "aria-describedby": [hintId, counterId, errorId, warningId].filter(Boolean).join(" "),
    ...attributes,
  });
  const error = el("p", { id: errorId, class: "field-error", hidden: true });
  const warning = el("p", { id: warningId, class: "field-warning", hidden: true });
  const counter = limit ? el("span", { id: counterId, class: "counter" }) : null;
  const count = () => {
    if (!counter) return;
    const used = input.value.length;
    counter.textContent = `${used} / ${limit}`;
    counter.classList.toggle("over", used > limit);
  };
  input.addEventListener("input", count);
  count();
  const wrapper = el("div", { class: "field" },
    el("div", { class: "field-top" }, el("label", { for: id }, label), counter),
    hint ? el("span", { id: hintId, class: "hint" }, hint) : null,
    input,
    error,
    warning,
  );
  return { wrapper, input, error, warning, label, limit, count };
}

/** The form's own check of a limited field: a problem in the API's words, or null. */
export function tooLong(target) {
  const used = target.input.value.trim().length;
  return target.limit && used > target.limit
    ? `must be at most ${target.limit} characters (it has ${used})`
    : null;
}

/**
 * A button that opens a short list of actions below it (a disclosure: Tab moves through the actions,
 * Escape or a click elsewhere closes it and focus goes back to the button).
 */
export function disclosureMenu({ label, buttonText, buttonClass = "menu-button", items }) {
  const list = el("div", { class: "menu", hidden: true });
  const button = el("button", {
    type: "button", class: buttonClass, "aria-expanded": "false", "aria-label": label,
    onclick: () => (list.hidden ? open() : close(false)),
  }, buttonText);
  list.replaceChildren(...items.filter(Boolean));
  const root = el("div", { class: "row-menu" }, button, list);
  const onOutside = (event) => {
    if (!root.contains(event.target)) close(false);
  };
  function open() {
    list.hidden = false;
    button.setAttribute("aria-expanded", "true");
    document.addEventListener("pointerdown", onOutside);
    list.querySelector("button, a")?.focus();
  }
  function close(refocus) {
    list.hidden = true;
    button.setAttribute("aria-expanded", "false");
    document.removeEventListener("pointerdown", onOutside);
    if (refocus) button.focus();
  }
  root.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && !list.hidden) {
      event.stopPropagation();
      close(true);
    }
  });
  // An action taken closes the menu; the action itself decides where focus goes next.
  list.addEventListener("click", (event) => {
    if (event.target.closest("button, a")) close(false);
  });
  root.addEventListener("focusout", (event) => {
    if (!list.hidden && event.relatedTarget && !root.contains(event.relatedTarget)) close(false);
  });
  return root;
}

/** Show each {field, problem} next to its input and focus the first; returns the problems no input claimed. */
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
    target.error.textContent = `${target.label}: ${problem.replace(/\.$/, "")}.`;
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
 * Run ``action`` once at a time behind ``button``. The button is marked busy, not disabled: a disabled
 * button drops keyboard focus to the page's body, and the reader would start over from the top.
 */
export async function whileBusy(button, action) {
  if (button.getAttribute("aria-disabled") === "true") return;
  button.setAttribute("aria-disabled", "true");
  try {
    await action();
  } finally {
    button.removeAttribute("aria-disabled");
  }
}

/**
 * Cursor paging: ``load(cursor)`` fetches a page ({items, next_cursor}); ``show(items)`` renders it.
 * Remembers the cursors behind so Previous works without the API paging backwards. Moving to another
 * page focuses ``heading`` (the list's), which brings the top of the list into view.
 */
export class Pager {
  constructor({ label, load, show, onError, heading }) {
    this.load = load;
    this.show = show;
    this.onError = onError;
    this.heading = heading;
    this.cursors = [null];
    this.next = null;
    this.previousButton = el("button", { type: "button", onclick: () => this.turn(this.cursors.length - 2) }, "← Newer");
    this.nextButton = el("button", { type: "button", onclick: () => this.turn(this.cursors.length) }, "Older →");
    this.position = el("span", { class: "muted" });
    // Hidden until a page arrives: buttons that page through nothing would only mislead.
    this.element = el("nav", { class: "pager", "aria-label": label, hidden: true },
      this.previousButton, this.position, this.nextButton);
  }

  /** Load page ``index`` (0 is the newest); true when it was shown. */
  async go(index) {
    const cursor = index < this.cursors.length ? this.cursors[index] : this.next;
    let page;
    try {
      page = await this.load(cursor);
    } catch (error) {
      this.element.hidden = true;
      this.onError(error, () => this.go(index));
      return false;
    }
    this.cursors = [...this.cursors.slice(0, index), cursor];
    this.next = page.next_cursor;
    this.show(page.items);
    this.previousButton.disabled = index === 0;
    this.nextButton.disabled = !this.next;
    this.position.textContent = `Page ${index + 1}`;
    this.element.hidden = index === 0 && !this.next;
    return true;
  }

  async turn(index) {
    if (await this.go(index)) focusOn(this.heading);
  }

  /** Reload the page shown now. */
  refresh() {
    return this.go(this.cursors.length - 1);
  }
}

/** Placeholders in the shape of rows while a list loads (hidden from screen readers, which hear aria-busy
 * and ``label``). */
export function loading(container, label, rows = 3) {
  container.setAttribute("aria-busy", "true");
  replace(container,
    el("p", { class: "visually-hidden" }, label),
    el("ul", { class: "items", "aria-hidden": "true" },
      Array.from({ length: rows }, () => el("li", { class: "item skeleton" }, el("span"), el("span"), el("span")))),
  );
}

/** A list, or a friendly line when it is empty. */
export function listOrEmpty(container, items, render, emptyText) {
  container.removeAttribute("aria-busy");
  replace(container, items.length ? el("ul", { class: "items" }, items.map(render)) : el("div", { class: "empty" }, el("p", {}, emptyText)));
}

/** In place of a list that could not be loaded: say so (never an empty list), and offer to try again. */
export function loadFailed(container, retry) {
  container.removeAttribute("aria-busy");
  replace(container, el("div", { class: "empty" },
    el("p", {}, "This list could not be loaded."),
    el("button", { type: "button", onclick: retry }, "Try again"),
  ));
}

// Every contest status in the reader's words, with a tone for its colour. models.py's ContestStatus
// is the list of statuses; the browser tests render each one (tests/e2e/test_web_client.py, LIFECYCLE).
export const STATUS = {
  none: ["Not shared", "none"],
  entering: ["Entering the contest…", "pending"],
  entered: ["In the contest", "none"],
  resubmitted: ["Shared again: being checked once more", "pending"],
  duplicate: ["Duplicate: this link was already submitted", "refused"],
  invalid: ["Not accepted: its domain is not on the allowed list", "refused"],
  approved: ["Approved: on the team list", "approved"],
  rejected: ["Rejected by a moderator", "refused"],
  withdrawn: ["Withdrawn: off the team list; your contest entry still counts", "none"],
};
// feature: workflow
// With the workflow an entry waits for a moderator.
STATUS.entered = ["In the contest: waiting for a moderator", "pending"];
// end feature: workflow
// Shared where no contest runs (the template without it): shared, and nothing more to wait for.
const SHARED_WITHOUT_CONTEST = ["Shared", "none"];
// What still moves by itself: the contest counts an entering bookmark...
const MOVING = new Set(["entering"]);
// feature: workflow
// ...and the workflow checks and moderates an entered or resubmitted one.
MOVING.add("entered");
MOVING.add("resubmitted");
// end feature: workflow

/** Whether a bookmark's status can no longer move by itself (only its owner sharing it again moves it).
 * Shared but "none": the app runs without the contest (the API enters a shared bookmark at once when it
 * runs), and nothing will move it. */
export function settled(bookmark) {
  return !bookmark.shared || !MOVING.has(bookmark.contest_status);
}

/** The contest status as words and a tone, true of the team list: an unshared bookmark is never on it. */
export function statusWords(bookmark) {
  const status = bookmark.contest_status;
  if (bookmark.shared && status === "none") return SHARED_WITHOUT_CONTEST;
  if (!bookmark.shared && ["entering", "entered", "resubmitted", "approved"].includes(status)) {
    // Unshared after it entered; the API calls this withdrawn once the workflow has caught up.
    return STATUS.withdrawn;
  }
  return STATUS[status] ?? [status, "none"];
}

/** The contest status as a badge. */
export function statusBadge(bookmark) {
  const [text, tone] = statusWords(bookmark);
  return el("span", { class: `badge badge-${tone}` }, text);
}

/** Why the outcome is what it is (duplicate, invalid, rejected, withdrawn, timed out), when the API says. */
export function decisionReason(bookmark) {
  return bookmark.decision_reason ? el("p", { class: "reason" }, el("strong", {}, "Why: "), bookmark.decision_reason) : null;
}
