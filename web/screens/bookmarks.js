// My bookmarks: one form that creates or edits, and the paged list with share, edit and delete;
// shared bookmarks' contest status follows the publishing workflow as it runs.

import { ApiError } from "../api.js";
import { el, externalLink, replace, when } from "../dom.js";
import { StatusWatcher } from "../watch.js";
import { Pager, clearFieldErrors, field, listOrEmpty, showFieldErrors, statusBadge } from "../widgets.js";

const PAGE_SIZE = 10;
// The gateway's request model checks the same pattern; the API stays the judge of everything else.
const WEB_URL = /^https?:\/\/\S+$/i;

export function bookmarksScreen(main, ctx) {
  const { api } = ctx;
  let editing = null; // the bookmark being edited, or null when the form creates
  let idempotencyKey = crypto.randomUUID(); // one per new bookmark, so a retried save creates it once

  const fields = {
    url: field({ name: "url", label: "URL", type: "url", hint: "Starts with http:// or https://", required: true, maxLength: 2048, autocomplete: "url", spellcheck: false }),
    name: field({ name: "name", label: "Name", required: true, maxLength: 200 }),
    description: field({ name: "description", label: "Description (optional)", multiline: true, maxLength: 2000 }),
  };
  const shared = el("input", { type: "checkbox", id: "field-shared", name: "shared" });
  const formTitle = el("h2", { id: "form-title" }, "Add a bookmark");
  const submit = el("button", { type: "submit", class: "primary" }, "Save bookmark");
  const cancel = el("button", { type: "button", hidden: true, onclick: () => resetForm() }, "Cancel editing");
  const form = el("form", { novalidate: true, "aria-labelledby": "form-title", onsubmit: save },
    fields.url.wrapper,
    fields.name.wrapper,
    fields.description.wrapper,
    el("div", { class: "check" }, shared, el("label", { for: "field-shared" }, "Share with the team (enters the contest)")),
    el("div", { class: "actions" }, submit, cancel),
  );

  const list = el("div", { "aria-busy": "true" });
  const rows = new Map(); // id -> <li>, so a status change redraws one row
  const watcher = new StatusWatcher(
    (id) => api.getBookmark(id),
    (bookmark) => {
      redraw(bookmark);
      ctx.say(`“${bookmark.name}”: ${statusBadge(bookmark).textContent}`);
    },
    (error) => ctx.fail(error),
  );
  const pager = new Pager({
    label: "Pages of my bookmarks",
    load: (cursor) => api.listBookmarks(cursor, PAGE_SIZE),
    show: (items) => {
      rows.clear();
      list.removeAttribute("aria-busy");
      listOrEmpty(list, items, row, "No bookmarks yet: add your first one above.");
      items.forEach((bookmark) => watcher.watch(bookmark));
    },
    onError: (error) => ctx.fail(error),
  });

  replace(main,
    el("h1", { tabindex: -1 }, "My bookmarks"),
    el("div", { class: "columns" },
      el("section", { class: "card" }, formTitle, form),
      el("section", { "aria-labelledby": "list-title" },
        el("div", { class: "section-head" }, el("h2", { id: "list-title" }, "Saved"), el("span", { class: "muted" }, "Newest first")),
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
      el("p", { class: "url" }, bookmark.url),
      bookmark.description ? el("p", { class: "description" }, bookmark.description) : null,
      el("p", { class: "muted" }, `Saved ${when(bookmark.created_at)}`),
      el("div", { class: "actions" },
        bookmark.shared ? null : el("button", { type: "button", onclick: () => share(bookmark) , "aria-label": `Share “${bookmark.name}”` }, "Share"),
        el("button", { type: "button", onclick: () => edit(bookmark), "aria-label": `Edit “${bookmark.name}”` }, "Edit"),
        el("button", { type: "button", class: "danger", onclick: () => remove(bookmark), "aria-label": `Delete “${bookmark.name}”` }, "Delete"),
      ),
    );
    rows.set(bookmark.id, item);
    return item;
  }

  function redraw(bookmark) {
    rows.get(bookmark.id)?.replaceWith(row(bookmark));
    watcher.watch(bookmark);
  }

  async function save(event) {
    event.preventDefault();
    ctx.clear();
    const values = {
      url: fields.url.input.value.trim(),
      name: fields.name.input.value.trim(),
      description: fields.description.input.value.trim() || null,
      shared: shared.checked,
    };
    const problems = [
      ...(values.url ? (WEB_URL.test(values.url) ? [] : [{ field: "url", problem: "must start with http:// or https://" }]) : [{ field: "url", problem: "is required" }]),
      ...(values.name ? [] : [{ field: "name", problem: "is required" }]),
    ];
    if (problems.length) {
      showFieldErrors(fields, problems);
      return;
    }
    clearFieldErrors(fields);
    submit.disabled = true;
    try {
      if (editing) {
        const patch = Object.fromEntries(Object.entries(values).filter(([key, value]) => value !== (editing[key] ?? null)));
        if (Object.keys(patch).length) {
          const updated = await api.updateBookmark(editing.id, patch);
          redraw(updated);
          ctx.say(`Saved your changes to “${updated.name}”.`);
        } else {
          ctx.say("Nothing changed.");
        }
      } else {
        const created = await api.createBookmark(values, idempotencyKey);
        idempotencyKey = crypto.randomUUID();
        ctx.say(created.shared ? `Saved and shared “${created.name}”: it is entering the contest.` : `Saved “${created.name}”.`);
        await pager.go(0);
      }
      resetForm();
    } catch (error) {
      reportFormError(error);
    } finally {
      submit.disabled = false;
    }
  }

  function reportFormError(error) {
    if (error instanceof ApiError && error.status === 400 && error.fields.length) {
      const unclaimed = showFieldErrors(fields, error.fields);
      ctx.fail(new Error(unclaimed.length ? `${error.message} (${unclaimed.join("; ")})` : "Please fix the marked fields."));
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

  function resetForm() {
    editing = null;
    form.reset();
    clearFieldErrors(fields);
    formTitle.textContent = "Add a bookmark";
    submit.textContent = "Save bookmark";
    cancel.hidden = true;
  }

  async function share(bookmark) {
    ctx.clear();
    try {
      const updated = await api.updateBookmark(bookmark.id, { shared: true });
      redraw(updated);
      ctx.say(`Shared “${updated.name}”: it is entering the contest.`);
    } catch (error) {
      ctx.fail(error);
    }
  }

  async function remove(bookmark) {
    if (!window.confirm(`Delete “${bookmark.name}”? This cannot be undone.`)) return;
    ctx.clear();
    try {
      await api.deleteBookmark(bookmark.id);
      watcher.forget(bookmark.id);
      if (editing?.id === bookmark.id) resetForm();
      ctx.say(`Deleted “${bookmark.name}”.`);
      await pager.refresh();
    } catch (error) {
      ctx.fail(error);
    }
  }

  return () => watcher.stop();
}
