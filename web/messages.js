// The app's messages: one status and one error at a time, at the bottom of the window, in the two live
// regions of index.html so screen readers read them. A status goes away by itself (paused while the
// pointer or focus is on it); an error stays until it is solved (its retry succeeds) or dismissed, since
// an error that vanishes before it is read helps no one. Either may carry one action (Undo, Try again).
// Whoever needs something to happen when a message ends keeps its own timer (the bookmarks screen's undo).

import { el, replace } from "./dom.js";

export const STATUS_MS = 6_000;

export class Messages {
  constructor(statusRegion, alertRegion) {
    this.status = new Toast(statusRegion, STATUS_MS);
    this.alert = new Toast(alertRegion, null);
  }

  /** Say something that happened; an error shown before stays only if ``keepError``. */
  /** ``stay``: the message waits for the reader (a notice on the sign-in screen about their session). */
  say(text, { action, keepError = false, stay = false } = {}) {
    if (!keepError) this.alert.hide();
    return this.status.show(text, action, stay);
  }

  /** Show an error, with a way to try again when ``retry`` is given. */
  fail(text, retry) {
    this.status.hide();
    this.alert.show(text, retry ? { label: "Try again", run: retry } : null);
  }

  clear() {
    this.status.hide();
    this.alert.hide();
  }
}

class Toast {
  constructor(region, lifetime) {
    this.region = region;
    this.lifetime = lifetime;
    this.timer = null;
    this.shown = 0; // which message is on screen, so its sender can take it back (hideIf)
    this.left = 0;
    this.started = 0;
    const pause = () => this.pause();
    const resume = () => this.resume();
    region.addEventListener("mouseenter", pause);
    region.addEventListener("focusin", pause);
    region.addEventListener("mouseleave", resume);
    region.addEventListener("focusout", (event) => {
      if (!region.contains(event.relatedTarget)) resume();
    });
  }

  /** Show ``text`` (and its action); returns a number that names this message for hideIf. */
  show(text, action, stay = false) {
    const close = el("button", { type: "button", class: "toast-close", "aria-label": "Dismiss message", onclick: () => this.dismiss() }, "✕");
    replace(this.region,
      el("span", { class: "toast-text" }, text),
      action ? el("button", { type: "button", class: "toast-action", onclick: () => { this.hide(); action.run(); } }, action.label) : null,
      close,
    );
    this.region.hidden = false;
    this.staying = stay;
    if (this.lifetime !== null && !stay) {
      this.left = this.lifetime;
      this.resume();
    }
    return ++this.shown;
  }

  /** Hide the message ``shown`` named, if it is still the one on screen. */
  hideIf(shown) {
    if (shown === this.shown) this.hide();
  }

  pause() {
    if (this.timer === null) return;
    clearTimeout(this.timer);
    this.timer = null;
    this.left -= Date.now() - this.started;
  }

  resume() {
    if (this.region.hidden || this.lifetime === null || this.staying || this.timer !== null) return;
    this.started = Date.now();
    this.timer = setTimeout(() => this.dismiss(), Math.max(this.left, 1_000));
  }

  /** Gone by the reader's hand or by time; focus inside it goes back to the page, not to nowhere. */
  dismiss() {
    const hadFocus = this.region.contains(document.activeElement);
    this.hide();
    if (hadFocus) document.getElementById("main")?.focus();
  }

  hide() {
    clearTimeout(this.timer);
    this.timer = null;
    this.region.hidden = true;
    this.region.replaceChildren();
  }
}
