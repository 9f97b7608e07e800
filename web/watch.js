// Follows shared bookmarks through the publishing workflow: each is polled until its contest status
// settles, with exponential backoff (reset when the status moves) and no polling while the tab is hidden.

import { SETTLED } from "./widgets.js";

const FIRST_DELAY_MS = 1_000;
const MAX_DELAY_MS = 15_000;

export class StatusWatcher {
  /**
   * @param {(id: string) => Promise<object>} fetchOne reads one bookmark
   * @param {(bookmark: object) => void} onChange called with the bookmark whenever its status moved
   * @param {(error: Error) => void} onError called when a poll fails with anything but 429 or 404
   */
  constructor(fetchOne, onChange, onError) {
    this.fetchOne = fetchOne;
    this.onChange = onChange;
    this.onError = onError;
    this.watched = new Map(); // id -> {status, delay, timer}
    this.onVisibility = () => {
      if (!document.hidden) for (const id of this.watched.keys()) this.schedule(id, FIRST_DELAY_MS);
    };
    document.addEventListener("visibilitychange", this.onVisibility);
  }

  /** Start following a bookmark if its status can still change (a no-op if already followed). */
  watch(bookmark) {
    const pending = bookmark.shared && !SETTLED.has(bookmark.contest_status);
    if (!pending) {
      this.forget(bookmark.id);
      return;
    }
    const known = this.watched.get(bookmark.id);
    if (known && known.status === bookmark.contest_status) return;
    this.watched.set(bookmark.id, { status: bookmark.contest_status, delay: FIRST_DELAY_MS, timer: null });
    this.schedule(bookmark.id, FIRST_DELAY_MS);
  }

  forget(id) {
    clearTimeout(this.watched.get(id)?.timer);
    this.watched.delete(id);
  }

  stop() {
    for (const id of [...this.watched.keys()]) this.forget(id);
    document.removeEventListener("visibilitychange", this.onVisibility);
  }

  schedule(id, delay) {
    const entry = this.watched.get(id);
    if (!entry) return;
    clearTimeout(entry.timer);
    entry.delay = delay;
    entry.timer = setTimeout(() => this.poll(id), delay);
  }

  async poll(id) {
    const entry = this.watched.get(id);
    if (!entry || document.hidden) return; // visibilitychange resumes it
    let next = Math.min(entry.delay * 2, MAX_DELAY_MS);
    try {
      const bookmark = await this.fetchOne(id);
      if (!this.watched.has(id)) return;
      if (bookmark.contest_status !== entry.status) {
        entry.status = bookmark.contest_status;
        next = FIRST_DELAY_MS;
        this.onChange(bookmark);
      }
      if (!bookmark.shared || SETTLED.has(bookmark.contest_status)) {
        this.forget(id);
        return;
      }
    } catch (error) {
      if (error.status === 404) {
        this.forget(id);
        return;
      }
      if (error.status === 429) {
        next = MAX_DELAY_MS;
      } else {
        this.onError(error);
        if (error.status === 401) {
          this.stop();
          return;
        }
      }
    }
    this.schedule(id, next);
  }
}
