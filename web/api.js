// The bookmarks API over fetch: the ID token in Authorization, JSON both ways, every error turned into an
// ApiError with a sentence the reader can act on, and no call left hanging: each gives up after
// TIMEOUT_SECONDS, and ``onBusy`` hears how many calls are open (the app shows progress after a moment).

/** How long a call may take before the client gives up on it and offers to try again. */
export const TIMEOUT_SECONDS = 15;

/** A failed API call: the HTTP status (0 when unreachable), a message, and the fields a 400 names. */
export class ApiError extends Error {
  constructor(status, message, fields = []) {
    super(message);
    this.status = status;
    this.fields = fields;
  }
}

function messageFor(status, body) {
  switch (status) {
    case 400:
      return body.message ?? "Some fields need a fix.";
    case 401:
      return "Your session has ended: sign in again.";
    case 403:
      return "You are not allowed to do that.";
    case 404:
      return "Not found: it may have been deleted.";
    case 409:
      return body.message ?? "That conflicts with the bookmark's current state; reload and try again.";
    case 413:
      return body.message ?? "That is too large to save.";
    case 429:
      return "Too many requests: slow down and try again in a moment.";
    default:
      return "The service could not answer; try again.";
  }
}

export class Api {
  /** @param {string} baseUrl @param {import("./auth.js").Auth} auth */
  constructor(baseUrl, auth, onBusy = () => {}) {
    this.baseUrl = baseUrl.replace(/\/$/, "");
    this.auth = auth;
    this.onBusy = onBusy;
    this.open = 0;
  }

  listBookmarks(cursor, limit) {
    return this.request("GET", `/bookmarks${query({ cursor, limit })}`);
  }
  getBookmark(id) {
    return this.request("GET", `/bookmarks/${encodeURIComponent(id)}`);
  }
  createBookmark(fields, idempotencyKey) {
    return this.request("POST", "/bookmarks", fields, { "Idempotency-Key": idempotencyKey });
  }
  updateBookmark(id, patch) {
    return this.request("PUT", `/bookmarks/${encodeURIComponent(id)}`, patch);
  }
  /** ``keepalive``: the call outlives the page (a delete waiting for its undo when the tab closes). */
  deleteBookmark(id, { keepalive = false } = {}) {
    return this.request("DELETE", `/bookmarks/${encodeURIComponent(id)}`, undefined, {}, { keepalive });
  }
  /** Whether the caller already saved ``url`` ({mine: [{id, name}], on_team_list}). */
  checkLink(url) {
    return this.request("GET", `/bookmarks/check${query({ url })}`);
  }
  // feature: workflow
  listTeam(cursor, limit) {
    return this.request("GET", `/team/bookmarks${query({ cursor, limit })}`);
  }
  listReviews(cursor, limit) {
    return this.request("GET", `/reviews${query({ cursor, limit })}`);
  }
  /** A decision on the version the moderator saw (its submitted_at): an edit since answers 409. */
  decide(id, decision, reason, version) {
    return this.request("POST", `/reviews/${encodeURIComponent(id)}`, { decision, ...(reason ? { reason } : {}), ...(version ? { version } : {}) });
  }
  // end feature: workflow

  /** One call; a 401 gets one retry with refreshed tokens (an expired token is not a signed-out user). */
  async request(method, path, body, headers = {}, options = {}) {
    this.onBusy(++this.open);
    try {
      return await this.answer(method, path, body, headers, options);
    } finally {
      this.onBusy(--this.open);
    }
  }

  async answer(method, path, body, headers, options) {
    let response = await this.send(method, path, body, headers, options);
    if (response.status === 401 && this.auth.signedIn) {
      await this.auth.refresh().catch(() => {});
      if (this.auth.signedIn) response = await this.send(method, path, body, headers, options);
    }
    const text = await response.text();
    let parsed = {};
    try {
      parsed = text ? JSON.parse(text) : {};
    } catch {
      // A proxy's HTML error page: the status says enough.
    }
    if (!response.ok) {
      if (response.status === 401) this.auth.forget();
      throw new ApiError(response.status, messageFor(response.status, parsed), parsed.errors ?? []);
    }
    return parsed;
  }

  async send(method, path, body, headers, { keepalive = false } = {}) {
    const token = await this.auth.idToken().catch(() => null);
    const giveUp = new AbortController();
    const timer = setTimeout(() => giveUp.abort(), TIMEOUT_SECONDS * 1000);
    try {
      return await fetch(this.baseUrl + path, {
        signal: giveUp.signal,
        keepalive,
        method,
        headers: {
          ...(body !== undefined ? { "Content-Type": "application/json" } : {}),
          ...(token ? { Authorization: token } : {}),
          ...headers,
        },
        body: body !== undefined ? JSON.stringify(body) : undefined,
      });
    } catch {
      if (giveUp.signal.aborted) {
        throw new ApiError(0, `The API did not answer within ${TIMEOUT_SECONDS} seconds; try again.`);
      }
      throw new ApiError(0, "Could not reach the API: check your connection and try again.");
    } finally {
      clearTimeout(timer);
    }
  }
}

function query(params) {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null) search.set(key, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : "";
}
