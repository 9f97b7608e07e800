// My bookmarks: one form that creates or edits, and the paged list with share, edit and delete;
// shared bookmarks' contest status is followed until it settles. After each action focus
// goes where the reader's next step is: the saved or shared row, the row after a deleted one.

import { ApiError } from "../api.js";
import { el, externalLink, focusOn, replace, when } from "../dom.js";
import { StatusWatcher } from "../watch.js";
import {
  Pager,
  clearFieldErrors,
  decisionReason,
  field,
  listOrEmpty,
  loadFailed,
  settled,
  showFieldErrors,
  statusBadge,
  statusWords,
  whileBusy,
} from "../widgets.js";

// What the share box says sharing does.
let SHARE_LABEL = "Share with the team";
// feature: contest
SHARE_LABEL += " (enters the contest)";
// end feature: contest

const PAGE_SIZE = 10;
// The gateway's request model refuses a URL that fails /^https?:\/\/\S+$/ with no field named, so the form
// checks the same two things first, in the words the API uses (bookmarks/urls.py); the API judges the rest.
const WEB_SCHEME = /^https?:\/\//i;
const SPACE = /\s/;

function urlProblem(url) {
  if (!url) return "is required";
  if (!WEB_SCHEME.test(url)) return "must start with http:// or https://";
  if (SPACE.test(url)) return "must name a host, with no spaces";
  return null;
}

/** How a message about sharing ends: the contest it enters, where one runs. */
function entering(bookmark) {
  return bookmark.contest_status === "entering" ? ": it is entering the contest." : ".";
}

export function bookmarksScreen(main, ctx) {
  const { api } = ctx;
  let editing = null; // the bookmark being edited, or null when the form creates
  let idempotencyKey = crypto.randomUUID(); // one per new bookmark, so a retried save creates it once

  const fields = {
    url: field({ name: "url", label: "URL", type: "url", hint: "Starts with http:// or https://", required: true, maxLength: 2048, autocomplete: "url", spellcheck: "false" }),
    name: field({ name: "name", label: "Name", required: true, maxLength: 200 }),
    description: field({ name: "description", label: "Description (optional)", multiline: true, maxLength: 2000 }),
  };
  const shared = el("input", { type: "checkbox", id: "field-shared", name: "shared" });
  const formTitle = el("h2", { id: "form-title" }, "Add a bookmark");
  const submit = el("button", { type: "submit", class: "primary" }, "Save bookmark");
  const cancel = el("button", { type: "button", hidden: true, onclick: () => cancelEditing() }, "Cancel editing");
  // novalidate: the app shows every error itself, by its field; the browser's bubbles would double them.
  const form = el("form", { novalidate: true, "aria-labelledby": "form-title", onsubmit: save },
    fields.url.wrapper,
    fields.name.wrapper,
    fields.description.wrapper,
    el("div", { class: "check" }, shared, el("label", { for: "field-shared" }, SHARE_LABEL)),
    el("div", { class: "actions" }, submit, cancel),
  );

  const listTitle = el("h2", { id: "list-title" }, "Saved");
  const list = el("div", { "aria-busy": "true" });
  const rows = new Map(); // id -> <li>, so a status change redraws one row
  let shown = []; // the bookmarks of the page on screen, in order
  const watcher = new StatusWatcher(
    (id) => api.getBookmark(id),
    (bookmark) => {
      redraw(bookmark);
      ctx.notice(`“${bookmark.name}”: ${statusWords(bookmark)[0]}`);
    },
    (error) => ctx.fail(error),
    settled,
  );
  const pager = new Pager({
    label: "Pages of my bookmarks",
    heading: listTitle,
    load: (cursor) => api.listBookmarks(cursor, PAGE_SIZE),
    show: (items) => {
      rows.clear();
      shown = items;
      listOrEmpty(list, items, row, "No bookmarks yet: add your first one above.");
      items.forEach((bookmark) => watcher.watch(bookmark));
    },
    onError: (error, retry) => {
      loadFailed(list, retry);
      ctx.fail(error);
    },
  });

  replace(main,
    el("h1", {}, "My bookmarks"),
    el("div", { class: "columns" },
      el("section", { class: "card" }, formTitle, form),
      el("section", { "aria-labelledby": "list-title" },
        el("div", { class: "section-head" }, listTitle, el("span", { class: "muted" }, "Newest first")),
        list,
        pager.element,
      ),
    ),
  );
  pager.go(0);

  function row(bookmark) {
    const item = el("li", { class: "item", "data-id": bookmark.id },
      el("div", { class: "item-head" },
        el("h3", {}, externalLink(bookmark.url, bookmark.name)),
        statusBadge(bookmark),
      ),
      decisionReason(bookmark),
      el("p", { class: "url" }, bookmark.url),
      bookmark.description ? el("p", { class: "description" }, bookmark.description) : null,
      el("p", { class: "muted" }, `Saved ${when(bookmark.created_at)}`),
      el("div", { class: "actions" },
        bookmark.shared ? null : el("button", { type: "button", onclick: (event) => share(bookmark, event.currentTarget), "aria-label": `Share “${bookmark.name}”` }, "Share"),
        el("button", { type: "button", onclick: () => edit(bookmark), "aria-label": `Edit “${bookmark.name}”` }, "Edit"),
        el("button", { type: "button", class: "danger", onclick: (event) => remove(bookmark, event.currentTarget), "aria-label": `Delete “${bookmark.name}”` }, "Delete"),
      ),
    );
    rows.set(bookmark.id, item);
    return item;
  }

  /** Redraw one row in place; focus stays on the row's heading if it was inside the old row. */
  function redraw(bookmark) {
    const old = rows.get(bookmark.id);
    if (!old) return;
    const hadFocus = old.contains(document.activeElement);
    shown = shown.map((b) => (b.id === bookmark.id ? bookmark : b));
    old.replaceWith(row(bookmark));
    if (hadFocus) focusRow(bookmark.id);
    watcher.watch(bookmark);
  }

  function focusRow(id) {
    focusOn(rows.get(id)?.querySelector("h3") ?? listTitle);
  }

  function save(event) {
    event.preventDefault();
    ctx.clear();
    const values = {
      url: fields.url.input.value.trim(),
      name: fields.name.input.value.trim(),
      description: fields.description.input.value.trim() || null,
      shared: shared.checked,
    };
    const problems = [
      ...(urlProblem(values.url) ? [{ field: "url", problem: urlProblem(values.url) }] : []),
      ...(values.name ? [] : [{ field: "name", problem: "is required" }]),
    ];
    if (problems.length) {
      showFieldErrors(fields, problems);
      return;
    }
    clearFieldErrors(fields);
    return whileBusy(submit, async () => {
      const patch = editing
        ? Object.fromEntries(Object.entries(values).filter(([key, value]) => value !== (editing[key] ?? null)))
        : null;
      try {
        if (editing && !Object.keys(patch).length) {
          ctx.say("Nothing changed.");
          cancelEditing();
        } else if (editing) {
          const updated = await api.updateBookmark(editing.id, patch);
          ctx.say(`Saved your changes to “${updated.name}”.`);
          resetForm();
          redraw(updated);
          focusRow(updated.id);
        } else {
          const created = await api.createBookmark(values, idempotencyKey);
          idempotencyKey = crypto.randomUUID();
          ctx.say(created.shared ? `Saved and shared “${created.name}”${entering(created)}` : `Saved “${created.name}”.`);
          resetForm();
          await pager.go(0);
          focusRow(created.id);
        }
      } catch (error) {
        reportFormError(error, patch);
      }
    });
  }

  function reportFormError(error, patch) {
    if (error instanceof ApiError && error.status === 400 && error.fields.length) {
      const unclaimed = showFieldErrors(fields, error.fields);
      ctx.fail(new Error(unclaimed.length ? `${error.message} (${unclaimed.join("; ")})` : "Please fix the marked fields."));
    } else if (error instanceof ApiError && error.status === 409 && patch && "url" in patch) {
      // The one conflict an edit can meet: a bookmark in the contest keeps the URL it was shared with.
      showFieldErrors(fields, [{ field: "url", problem: "can no longer change: this bookmark was shared to the contest" }]);
      ctx.fail(new Error("Nothing was saved: see the marked field."));
    } else {
      ctx.fail(error);
    }
  }

  function edit(bookmark) {
    editing = bookmark;
    fields.url.input.value = bookmark.url;
    fields.name.input.value = bookmark.name;
    fields.description.input.value = bookmark.description ?? "";
    shared.checked = bookmark.shared;
    formTitle.textContent = `Edit “${bookmark.name}”`;
    submit.textContent = "Save changes";
    cancel.hidden = false;
    clearFieldErrors(fields);
    fields.url.input.focus();
  }

  function cancelEditing() {
    const id = editing?.id;
    resetForm();
    if (id) focusRow(id);
  }

  function resetForm() {
    editing = null;
    form.reset();
    clearFieldErrors(fields);
    formTitle.textContent = "Add a bookmark";
    submit.textContent = "Save bookmark";
    cancel.hidden = true;
  }

  function share(bookmark, button) {
    ctx.clear();
    return whileBusy(button, async () => {
      try {
        const updated = await api.updateBookmark(bookmark.id, { shared: true });
        redraw(updated);
        focusRow(updated.id);
        ctx.say(`Shared “${updated.name}”${entering(updated)}`);
      } catch (error) {
        ctx.fail(error);
      }
    });
  }

  function remove(bookmark, button) {
    if (!window.confirm(`Delete “${bookmark.name}”? This cannot be undone.`)) return;
    ctx.clear();
    return whileBusy(button, async () => {
      const index = shown.findIndex((b) => b.id === bookmark.id);
      try {
        await api.deleteBookmark(bookmark.id);
      } catch (error) {
        ctx.fail(error);
        return;
      }
      watcher.forget(bookmark.id);
      if (editing?.id === bookmark.id) resetForm();
      ctx.say(`Deleted “${bookmark.name}”.`);
      await pager.refresh();
      // The row that took its place, else the one before it, else the list's heading.
      const next = shown[Math.min(index, shown.length - 1)];
      focusRow(next?.id);
    });
  }

  return () => watcher.stop();
}
