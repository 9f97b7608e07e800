// Sign in with email and password against the Cognito user pool; a local stack's config lists its demo users.

import { el, replace } from "../dom.js";
import { field } from "../widgets.js";

export function signInScreen(main, ctx, onSignedIn) {
  const email = field({ name: "email", label: "Email", type: "email", autocomplete: "username", required: true, spellcheck: false });
  const password = field({ name: "password", label: "Password", type: "password", autocomplete: "current-password", required: true });
  const submit = el("button", { type: "submit", class: "primary" }, "Sign in");
  const demoUsers = ctx.config.demo_users ?? [];

  replace(main,
    el("section", { class: "card narrow" },
      el("h1", { tabindex: -1 }, "Sign in"),
      el("p", { class: "muted" }, "Keep your useful links, and share the best with your team."),
      el("form", { novalidate: true, onsubmit: signIn }, email.wrapper, password.wrapper, el("div", { class: "actions" }, submit)),
      demoUsers.length
        ? el("div", { class: "hint" },
            el("p", {}, "Local stack demo users:"),
            el("ul", {}, demoUsers.map((user) => el("li", {}, `${user.email} / ${user.password}`, user.groups?.length ? ` (${user.groups.join(", ")})` : ""))),
          )
        : null,
    ),
  );

  async function signIn(event) {
    event.preventDefault();
    if (!email.input.value || !password.input.value) {
      ctx.fail(new Error("Enter your email and password."));
      (email.input.value ? password : email).input.focus();
      return;
    }
    submit.disabled = true;
    ctx.say("Signing in…");
    try {
      await ctx.auth.signIn(email.input.value.trim(), password.input.value);
      onSignedIn();
    } catch (error) {
      ctx.fail(error);
      password.input.value = "";
      password.input.focus();
    } finally {
      submit.disabled = false;
    }
  }
}
