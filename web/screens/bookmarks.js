// My bookmarks: one form that creates or edits (warning before a link is saved twice), and the paged list
// with share, edit and delete (undone within UNDO_MS) in each row's menu; shared bookmarks' contest status
// is followed until it settles. After each action focus goes where the reader's next step is: the saved
// or shared row, the row after a deleted one, the row brought back by Undo.

import { ApiError } from "../api.js";
import { el, externalLink, focusOn, replace, when } from "../dom.js";
import { StatusWatcher } from "../watch.js";
import {
  Pager,
  clearFieldErrors,
  decisionReason,
  disclosureMenu,
  field,
  listOrEmpty,
  loadFailed,
  loading,
  settled,
  showFieldErrors,
  statusBadge,
  statusWords,
  tooLong,
  whileBusy,
} from "../widgets.js";
import { STATUS_MS } from "../messages.js";

// What the share box says sharing does.
let SHARE_LABEL = "Share with the team";
// feature: contest
SHARE_LABEL += " (enters the contest)";
// end feature: contest

const PAGE_SIZE = 10;
// A deleted bookmark can be brought back for as long as its message shows; then it is deleted for good.
const UNDO_MS = STATUS_MS;
// How long the URL must stay unchanged before the client asks whether it is saved already.
const CHECK_AFTER_MS = 400;
// The gateway's request model refuses a URL that fails its pattern with no field named, so the form checks
// what the model checks first (scheme, a host, no spaces, the length), in the words the API uses
// (bookmarks/urls.py, models.py); the API judges the rest.
const WEB_SCHEME = /^https?:\/\//i;
const SPACE = /\s/;
const LIMITS = { url: 2048, name: 200, description: 2000 };

function urlProblem(url) {
  if (!url) return "is required";
  if (!WEB_SCHEME.test(url)) return "must start with http:// or https://";
  let host = "";
  try {
    host = new URL(url).hostname;
  } catch {
    // Not parseable: no host to speak of.
  }
  if (SPACE.test(url) || !host) return "must name a host, with no spaces";
  if (url.length > LIMITS.url) return `must be at most ${LIMITS.url} characters (it has ${url.length})`;
  return null;
}

/** The host a URL points at, as the row's secondary line. */
function hostOf(url) {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
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
    url: field({ name: "url", label: "URL", type: "url", hint: "Starts with http:// or https://", required: true, autocomplete: "url", spellcheck: "false", oninput: () => urlChanged() }),
    name: field({ name: "name", label: "Name", required: true, limit: LIMITS.name }),
    description: field({ name: "description", label: "Description (optional)", multiline: true, limit: LIMITS.description }),
  };
  // The duplicate check of the URL in the field: its answer, and whether the reader has seen the warning.
  let checked = { url: null, warning: null, seen: false };
  let checkTimer = null;
  const pendingDeletes = new Map(); // id -> {bookmark, timer, item, shown}
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
  const list = el("div");
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
      // A bookmark waiting for its undo stays out of the list, as it will be gone.
      const kept = items.filter((bookmark) => !pendingDeletes.has(bookmark.id));
      shown = kept;
      listOrEmpty(list, kept, row, "No bookmarks yet: save your first link with the form.");
      items.forEach((bookmark) => watcher.watch(bookmark));
    },
    onError: (error, retry) => {
      // Tried again from the list or from the message: on success the error goes, and focus comes back.
      const again = async () => {
        const ok = await retry();
        if (ok) {
          ctx.clear();
          if (!list.contains(document.activeElement)) focusOn(listTitle);
        }
        return ok;
      };
      loadFailed(list, again);
      ctx.fail(error, again);
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
  loading(list, "Loading your bookmarks…");
  pager.go(0);
  // A delete waiting for its undo still happens when the tab closes (keepalive outlives the page).
  const onPageHide = () => {
    for (const id of [...pendingDeletes.keys()]) commitDelete(id, { keepalive: true });
  };
  window.addEventListener("pagehide", onPageHide);

  function row(bookmark) {
    const label = `“${bookmark.name}”`;
    const item = el("li", { class: "item", "data-id": bookmark.id },
      el("h3", { class: "item-title" }, externalLink(bookmark.url, bookmark.name)),
      el("p", { class: "meta" },
        el("span", { class: "url" }, hostOf(bookmark.url)),
        // An unshared bookmark needs no tag: only a shared one has a status worth reading.
        bookmark.shared || bookmark.contest_status !== "none" ? statusBadge(bookmark) : null,
        el("span", {}, `Saved ${when(bookmark.created_at)}`),
      ),
      decisionReason(bookmark),
      bookmark.description ? el("p", { class: "description" }, bookmark.description) : null,
      disclosureMenu({
        label: `Actions for ${label}`,
        buttonText: "⋯",
        items: [
          bookmark.shared ? null : el("button", { type: "button", onclick: () => share(bookmark, menuButton(bookmark.id)), "aria-label": `Share ${label}` }, "Share"),
          el("button", { type: "button", onclick: () => edit(bookmark), "aria-label": `Edit ${label}` }, "Edit"),
          el("button", { type: "button", class: "danger", onclick: () => remove(bookmark), "aria-label": `Delete ${label}` }, "Delete"),
        ],
      }),
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

  function menuButton(id) {
    return rows.get(id)?.querySelector(".menu-button");
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
      ...(tooLong(fields.name) ? [{ field: "name", problem: tooLong(fields.name) }] : []),
      ...(tooLong(fields.description) ? [{ field: "description", problem: tooLong(fields.description) }] : []),
    ];
    if (problems.length) {
      showFieldErrors(fields, problems);
      return;
    }
    clearFieldErrors(fields);
    return whileBusy(submit, async () => {
      // A link saved before: warned once, by the URL field; saving again goes ahead.
      if (!editing || values.url !== editing.url) {
        const warning = await duplicateWarning(values.url);
        if (warning && !checked.seen) {
          showWarning(warning);
          checked.seen = true;
          submit.textContent = "Save anyway";
          return;
        }
      }
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

  // Errors a field explains are said by that field alone (it takes focus): no message covers it.
  function reportFormError(error, patch) {
    if (error instanceof ApiError && error.status === 400 && error.fields.length) {
      const unclaimed = showFieldErrors(fields, error.fields);
      if (unclaimed.length) ctx.fail(new Error(`${error.message} (${unclaimed.join("; ")})`));
    } else if (error instanceof ApiError && error.status === 409 && patch && "url" in patch) {
      // The one conflict an edit can meet: a bookmark in the contest keeps the URL it was shared with.
      showFieldErrors(fields, [{ field: "url", problem: "can no longer change: this bookmark was shared to the contest" }]);
    } else {
      ctx.fail(error, async () => {
        submit.click();
        return false; // the save reports its own outcome
      });
    }
  }

  /** The URL changed: forget the last check, and ask again once typing pauses on a web URL. */
  function urlChanged() {
    clearTimeout(checkTimer);
    const url = fields.url.input.value.trim();
    if (url === checked.url) return;
    checked = { url: null, warning: null, seen: false };
    submit.textContent = editing ? "Save changes" : "Save bookmark";
    fields.url.warning.hidden = true;
    if (urlProblem(url)) return;
    checkTimer = setTimeout(async () => {
      const warning = await duplicateWarning(url);
      if (warning && fields.url.input.value.trim() === url) {
        showWarning(warning);
        checked.seen = true;
        submit.textContent = "Save anyway";
      }
    }, CHECK_AFTER_MS);
  }

  /** What to warn of before saving ``url`` (saved already, on the team list), or null; asks the API once
   * per URL. A check that fails warns of nothing: the save itself still works. */
  async function duplicateWarning(url) {
    if (checked.url === url) return checked.warning;
    let answer;
    try {
      answer = await api.checkLink(url);
    } catch {
      return null;
    }
    const mine = answer.mine.filter((saved) => saved.id !== editing?.id);
    const parts = [
      mine.length ? `You already saved this link as “${mine[0].name}”${mine.length > 1 ? ` and ${mine.length - 1} more` : ""}.` : null,
      answer.on_team_list ? "The team list already has it." : null,
    ].filter(Boolean);
    checked = { url, warning: parts.length ? parts.join(" ") : null, seen: checked.url === url && checked.seen };
    return checked.warning;
  }

  function showWarning(text) {
    fields.url.warning.textContent = `${text} Save it again only if you mean to.`;
    fields.url.warning.hidden = false;
  }

  function edit(bookmark) {
    editing = bookmark;
    fields.url.input.value = bookmark.url;
    fields.name.input.value = bookmark.name;
    fields.description.input.value = bookmark.description ?? "";
    shared.checked = bookmark.shared;
    Object.values(fields).forEach((target) => target.count());
    checked = { url: bookmark.url, warning: null, seen: false };
    fields.url.warning.hidden = true;
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
    Object.values(fields).forEach((target) => target.count());
    checked = { url: null, warning: null, seen: false };
    fields.url.warning.hidden = true;
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

  /** Take the row away now and delete after UNDO_MS, unless Undo brings it back first. */
  function remove(bookmark) {
    ctx.clear();
    // One delete waits for its undo at a time: an earlier one is done now, as its message gives way.
    for (const id of [...pendingDeletes.keys()]) commitDelete(id);
    const item = rows.get(bookmark.id);
    const index = shown.findIndex((b) => b.id === bookmark.id);
    item.hidden = true;
    shown = shown.filter((b) => b.id !== bookmark.id);
    if (editing?.id === bookmark.id) resetForm();
    const pending = { bookmark, item, timer: setTimeout(() => commitDelete(bookmark.id), UNDO_MS), shown: 0 };
    pendingDeletes.set(bookmark.id, pending);
    pending.shown = ctx.say(`Deleted “${bookmark.name}”.`, { label: "Undo", run: () => undo(bookmark.id) });
    const next = shown[Math.min(index, shown.length - 1)];
    if (next) focusRow(next.id);
    else {
      if (!shown.length) listOrEmpty(list, [], row, "No bookmarks yet: save your first link with the form.");
      focusOn(listTitle);
    }
  }

  function undo(id) {
    const pending = pendingDeletes.get(id);
    if (!pending) return;
    clearTimeout(pending.timer);
    pendingDeletes.delete(id);
    ctx.say(`Kept “${pending.bookmark.name}”.`);
    if (list.contains(pending.item)) {
      pending.item.hidden = false;
      shown = [...shown, pending.bookmark].sort((a, b) => (a.id < b.id ? 1 : -1));
      focusRow(id);
    } else {
      // The list was redrawn meanwhile (the last row went): read it again, with the row back in it.
      pager.refresh().then(() => focusRow(id));
    }
  }

  async function commitDelete(id, { keepalive = false } = {}) {
    const pending = pendingDeletes.get(id);
    if (!pending) return;
    clearTimeout(pending.timer);
    pendingDeletes.delete(id);
    ctx.unsay(pending.shown);
    watcher.forget(id);
    try {
      await api.deleteBookmark(id, { keepalive });
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) return; // already gone: what was asked
      if (keepalive) return;
      // Not deleted: the row comes back (the page is read again), and the reader may try again.
      const name = pending.bookmark.name;
      ctx.fail(new Error(`“${name}” was not deleted: ${error.message}`), async () => {
        try {
          await api.deleteBookmark(id);
        } catch (again) {
          if (!(again instanceof ApiError && again.status === 404)) {
            ctx.fail(new Error(`“${name}” was not deleted: ${again.message}`));
            return false;
          }
        }
        ctx.say(`Deleted “${name}”.`);
        await pager.refresh();
        return true;
      });
      await pager.refresh();
      return;
    }
    const hadFocus = list.contains(document.activeElement) ? document.activeElement.closest("li")?.dataset.id : null;
    if (!list.contains(pending.item) || pending.item.hidden) {
      pending.item.remove();
      rows.delete(id);
    }
    // The page is read again only when it emptied (the next page's rows move up); else it is right already.
    if (!shown.length) {
      await pager.refresh();
      if (hadFocus) focusRow(hadFocus);
    }
  }

  return () => {
    watcher.stop();
    clearTimeout(checkTimer);
    window.removeEventListener("pagehide", onPageHide);
    for (const id of [...pendingDeletes.keys()]) commitDelete(id);
  };
}
