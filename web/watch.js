// Keeps screens live without a reload: a Poll calls the API again and again, backing off exponentially
// while nothing changes (back to the first delay when something does), waiting longest after a 429,
// stopping on a 401, and not calling at all while the tab is hidden. StatusWatcher uses one Poll per
// shared bookmark to follow it until its status settles; other screens may keep a list live with one.

const FIRST_DELAY_MS = 1_000;
const MAX_DELAY_MS = 15_000;

/** What a poll's ``tick`` answers: something changed (poll again soon), nothing did (back off), or stop. */
export const CHANGED = "changed";
export const UNCHANGED = "unchanged";
export const DONE = "done";

export class Poll {
  /**
   * @param {() => Promise<string>} tick one call to the API; answers CHANGED, UNCHANGED or DONE
   * @param {(error: Error) => void} onError told of every failure but a 429 (a 401 also stops the poll)
   */
  constructor(tick, onError) {
    this.tick = tick;
    this.onError = onError;
    this.timer = null;
    this.delay = FIRST_DELAY_MS;
    this.paused = false;
    this.stopped = true;
    // A hidden tab makes no calls; showing it again polls at once, as the reader is looking again.
    this.onVisibility = () => {
      if (!document.hidden && this.paused && !this.stopped) this.schedule(0);
    };
  }

  start(delay = FIRST_DELAY_MS) {
    if (this.stopped) document.addEventListener("visibilitychange", this.onVisibility);
    this.stopped = false;
    this.schedule(delay);
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.timer);
    document.removeEventListener("visibilitychange", this.onVisibility);
  }

  schedule(delay) {
    clearTimeout(this.timer);
    this.paused = false;
    this.delay = Math.max(delay, FIRST_DELAY_MS);
    this.timer = setTimeout(() => this.run(), delay);
  }

  async run() {
    if (this.stopped) return;
    if (document.hidden) {
      this.paused = true;
      return;
    }
    let next = Math.min(this.delay * 2, MAX_DELAY_MS);
    try {
      const outcome = await this.tick();
      if (outcome === DONE) this.stop();
      if (outcome === CHANGED) next = FIRST_DELAY_MS;
    } catch (error) {
      if (error.status === 429) {
        next = MAX_DELAY_MS;
      } else {
        this.onError(error);
        if (error.status === 401) this.stop();
      }
    }
    if (!this.stopped) this.schedule(next);
  }
}

/** Follows shared bookmarks until their contest status settles; tells ``onChange`` each time one moves. */
export class StatusWatcher {
  /**
   * @param {(id: string) => Promise<object>} fetchOne reads one bookmark
   * @param {(bookmark: object) => void} onChange called with the bookmark whenever its status moved
   * @param {(error: Error) => void} onError called when a poll fails with anything but 429 or 404
   * @param {(bookmark: object) => boolean} settled whether a bookmark's status can no longer change by itself
   */
  constructor(fetchOne, onChange, onError, settled) {
    this.fetchOne = fetchOne;
    this.onChange = onChange;
    this.onError = onError;
    this.settled = settled;
    this.watched = new Map(); // id -> {status, poll}
  }

  /** Start following a bookmark if its status can still change (a no-op if already followed). */
  watch(bookmark) {
    if (this.settled(bookmark)) {
      this.forget(bookmark.id);
      return;
    }
    const known = this.watched.get(bookmark.id);
    if (known) {
      known.status = bookmark.contest_status;
      return;
    }
    const entry = { status: bookmark.contest_status, poll: null };
    entry.poll = new Poll(() => this.check(bookmark.id, entry), this.onError);
    this.watched.set(bookmark.id, entry);
    entry.poll.start();
  }

  async check(id, entry) {
    let bookmark;
    try {
      bookmark = await this.fetchOne(id);
    } catch (error) {
      if (error.status !== 404) throw error;
      this.watched.delete(id); // deleted meanwhile (in another tab, say)
      return DONE;
    }
    if (this.watched.get(id) !== entry) return DONE;
    const moved = bookmark.contest_status !== entry.status;
    entry.status = bookmark.contest_status;
    if (moved) this.onChange(bookmark);
    if (this.settled(bookmark)) {
      this.watched.delete(id);
      return DONE;
    }
    return moved ? CHANGED : UNCHANGED;
  }

  forget(id) {
    this.watched.get(id)?.poll.stop();
    this.watched.delete(id);
  }

  stop() {
    for (const id of [...this.watched.keys()]) this.forget(id);
  }
}
