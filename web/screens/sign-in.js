// Sign in with email and password against the Cognito user pool; a local stack's config lists its demo users.

import { el, replace } from "../dom.js";
import { clearFieldErrors, field, showFieldErrors, whileBusy } from "../widgets.js";

// Cognito's answers that mean the password (or the email) was wrong: only then is the password cleared.
const WRONG_CREDENTIALS = new Set(["NotAuthorizedException", "UserNotFoundException"]);

export function signInScreen(main, ctx, onSignedIn) {
  const fields = {
    email: field({ name: "email", label: "Email", type: "email", autocomplete: "username", required: true, spellcheck: "false" }),
    password: field({ name: "password", label: "Password", type: "password", autocomplete: "current-password", required: true }),
  };
  const submit = el("button", { type: "submit", class: "primary" }, "Sign in");
  const demoUsers = ctx.config.demo_users ?? [];

  replace(main,
    el("section", { class: "card narrow" },
      el("h1", {}, "Sign in"),
      el("p", { class: "muted" }, "Keep your useful links, and share the best with your team."),
      // The app checks the fields itself (novalidate), so the browser's own bubbles never cover its errors.
      el("form", { novalidate: true, onsubmit: signIn },
        fields.email.wrapper, fields.password.wrapper, el("div", { class: "actions" }, submit)),
      demoUsers.length
        ? el("div", { class: "hint" },
            el("p", {}, "Local stack demo users:"),
            el("ul", {}, demoUsers.map((user) => el("li", {}, `${user.email} / ${user.password}`, user.groups?.length ? ` (${user.groups.join(", ")})` : ""))),
          )
        : null,
    ),
  );

  function signIn(event) {
    event.preventDefault();
    ctx.clear();
    const email = fields.email.input.value.trim();
    const password = fields.password.input.value;
    const problems = [
      ...(email ? [] : [{ field: "email", problem: "enter the email you signed up with" }]),
      ...(password ? [] : [{ field: "password", problem: "enter your password" }]),
    ];
    if (problems.length) {
      showFieldErrors(fields, problems);
      return;
    }
    clearFieldErrors(fields);
    return whileBusy(submit, async () => {
      ctx.say("Signing in…");
      try {
        await ctx.auth.signIn(email, password);
      } catch (error) {
        ctx.fail(error);
        // A wrong password is typed again; after a network failure the reader just tries again.
        if (WRONG_CREDENTIALS.has(error.code)) {
          fields.password.input.value = "";
          fields.password.input.focus();
        }
        return;
      }
      onSignedIn();
    });
  }
}
