// Sign in with email and password against the Cognito user pool; a local stack's config lists its demo users.
// An invited user's first sign-in chooses a new password. The display-name form (what the team list shows
// next to what a user shares, never their email) lives here too; the team list offers it.

import { NewPasswordRequired } from "../auth.js";
import { el, replace } from "../dom.js";
import { clearFieldErrors, field, showFieldErrors, whileBusy } from "../widgets.js";

// What the API accepts as a display name: 1 to 64 characters, none of them a control character.
const DISPLAY_NAME_MAX = 64;
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

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
        if (error instanceof NewPasswordRequired) {
          ctx.clear();
          newPasswordStep(main, ctx, error, onSignedIn);
          return;
        }
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

/** The first sign-in of an invited user: Cognito wants a password of their own instead of the temporary one. */
function newPasswordStep(main, ctx, challenge, onDone) {
  const password = field({ name: "new-password", label: "New password", type: "password", autocomplete: "new-password", required: true });
  const submit = el("button", { type: "submit", class: "primary" }, "Set password and sign in");
  replace(main,
    el("section", { class: "card narrow" },
      el("h1", {}, "Choose your password"),
      el("p", { class: "muted" }, "This is your first sign-in: replace the temporary password you were sent."),
      el("form", { novalidate: true, onsubmit: choose }, password.wrapper, el("div", { class: "actions" }, submit)),
    ),
  );
  password.input.focus();

  function choose(event) {
    event.preventDefault();
    ctx.clear();
    if (!password.input.value) {
      showFieldErrors({ "new-password": password }, [{ field: "new-password", problem: "enter a new password" }]);
      return;
    }
    return whileBusy(submit, async () => {
      try {
        await ctx.auth.completeNewPassword(challenge, password.input.value);
      } catch (error) {
        ctx.fail(error);
        return;
      }
      onDone();
    });
  }
}

/** A form that sets the display name others see next to what the user shares; ``onDone`` runs after a
 *  save (or a skip, when offered). */
export function displayNameForm(ctx, onDone, { skip = false } = {}) {
  const name = field({
    name: "display-name",
    label: "Display name",
    hint: "Shown to your team next to the links you share. Your email is never shown.",
    autocomplete: "nickname",
    maxLength: DISPLAY_NAME_MAX,
    value: ctx.auth.user?.displayName ?? "",
  });
  const save = el("button", { type: "submit", class: "primary" }, "Save display name");
  const later = skip ? el("button", { type: "button", onclick: () => onDone() }, "Not now") : null;
  return el("form", { novalidate: true, onsubmit: submit }, name.wrapper, el("div", { class: "actions" }, save, later));

  function submit(event) {
    event.preventDefault();
    ctx.clear();
    const chosen = name.input.value.trim();
    const problem = !chosen
      ? "enter a name"
      : chosen.length > DISPLAY_NAME_MAX
        ? `use at most ${DISPLAY_NAME_MAX} characters`
        : CONTROL.test(chosen)
          ? "use visible characters only"
          : null;
    if (problem) {
      showFieldErrors({ "display-name": name }, [{ field: "display-name", problem }]);
      return;
    }
    clearFieldErrors({ "display-name": name });
    return whileBusy(save, async () => {
      try {
        await ctx.auth.setDisplayName(chosen);
      } catch (error) {
        ctx.fail(error);
        return;
      }
      ctx.say(`Your display name is now “${chosen}”.`);
      onDone();
    });
  }
}
