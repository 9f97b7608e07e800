// Sign-in with the Cognito user pool API (USER_PASSWORD_AUTH), an invited user's first password
// (NEW_PASSWORD_REQUIRED), the display name others see, token refresh and sign-out.
// Tokens live in sessionStorage: they survive a reload but not the tab, and no other tab reads them.

const STORAGE_KEY = "bookmarks.session";
// Refresh a little before the ID token expires, so a request never leaves with a token about to lapse.
const REFRESH_MARGIN_MS = 60_000;

/** A failed Cognito call, with a sentence for the reader. */
export class AuthError extends Error {
  constructor(message, code) {
    super(message);
    this.code = code;
  }
}

const MESSAGES = {
  NotAuthorizedException: "Wrong email or password.",
  UserNotFoundException: "Wrong email or password.",
  UserNotConfirmedException: "This account is not confirmed yet: check your email.",
  PasswordResetRequiredException: "This account needs a new password: ask an administrator to reset it.",
  InvalidPasswordException: "Cognito refused that password: use at least 12 characters with upper and lower case letters, a number and a symbol.",
  ExpiredCodeException: "This sign-in took too long: sign in again with your temporary password.",
  TooManyRequestsException: "Too many sign-in attempts: wait a moment and try again.",
  LimitExceededException: "Too many sign-in attempts: wait a moment and try again.",
};

/** Cognito wants a new password before the first sign-in of an invited user (admin-created). */
export class NewPasswordRequired extends Error {
  constructor(email, session) {
    super("Choose a new password to finish your first sign-in.");
    this.email = email;
    this.session = session;
  }
}

export class Auth {
  /** @param {{cognito_endpoint: string, user_pool_client_id: string}} config */
  constructor(config) {
    this.endpoint = config.cognito_endpoint;
    this.clientId = config.user_pool_client_id;
    this.session = readSession();
  }

  get signedIn() {
    return this.session !== null;
  }

  /** What the ID token says about the user: their email (theirs to see only), the display name others
   *  see, whether the email is verified, and what their groups let them do. */
  get user() {
    if (!this.session) return null;
    const claims = decodeClaims(this.session.idToken);
    const groups = claims["cognito:groups"] ?? [];
    return {
      email: claims.email ?? claims["cognito:username"] ?? "",
      displayName: claims.name ?? "",
      emailVerified: claims.email_verified === true || claims.email_verified === "true",
      // feature: workflow
      moderator: (Array.isArray(groups) ? groups : [groups]).includes("moderators"),
      // end feature: workflow
    };
  }

  async signIn(email, password) {
    const answer = await this.call("InitiateAuth", {
      AuthFlow: "USER_PASSWORD_AUTH",
      ClientId: this.clientId,
      AuthParameters: { USERNAME: email, PASSWORD: password },
    });
    if (answer.ChallengeName === "NEW_PASSWORD_REQUIRED") throw new NewPasswordRequired(email, answer.Session);
    if (!answer.AuthenticationResult) {
      // MFA: the API and the CLI can do that; this small client does not.
      throw new AuthError(`Cognito asks for ${answer.ChallengeName}, which this client does not handle.`);
    }
    this.store(answer.AuthenticationResult);
  }

  /** Answer the first-sign-in challenge of an invited user with the password they chose. */
  async completeNewPassword(challenge, newPassword) {
    const answer = await this.call("RespondToAuthChallenge", {
      ChallengeName: "NEW_PASSWORD_REQUIRED",
      ClientId: this.clientId,
      Session: challenge.session,
      ChallengeResponses: { USERNAME: challenge.email, NEW_PASSWORD: newPassword },
    });
    if (!answer.AuthenticationResult) {
      throw new AuthError(`Cognito asks for ${answer.ChallengeName}, which this client does not handle.`);
    }
    this.store(answer.AuthenticationResult);
  }

  /** Set the display name others see next to what the user shares (their own `name` attribute, written
   *  with their access token), then refresh so the next ID token carries it. */
  async setDisplayName(name) {
    if (!this.session) throw new AuthError("Sign in first.");
    await this.call("UpdateUserAttributes", {
      AccessToken: this.session.accessToken,
      UserAttributes: [{ Name: "name", Value: name }],
    });
    await this.refresh();
  }

  /** An ID token valid for at least a minute, refreshed if needed; null when signed out. */
  async idToken() {
    if (!this.session) return null;
    if (Date.now() > this.session.expiresAt - REFRESH_MARGIN_MS) await this.refresh();
    return this.session?.idToken ?? null;
  }

  /** New ID and access tokens from the refresh token; signs out if Cognito refuses it. */
  async refresh() {
    const refreshToken = this.session?.refreshToken;
    if (!refreshToken) return;
    try {
      const answer = await this.call("InitiateAuth", {
        AuthFlow: "REFRESH_TOKEN_AUTH",
        ClientId: this.clientId,
        AuthParameters: { REFRESH_TOKEN: refreshToken },
      });
      this.store({ ...answer.AuthenticationResult, RefreshToken: refreshToken });
    } catch (error) {
      this.forget();
      throw error;
    }
  }

  /** Forget every token and revoke the refresh token (best effort); true when Cognito revoked it. */
  async signOut() {
    const refreshToken = this.session?.refreshToken;
    this.forget();
    if (!refreshToken) return true;
    return this.call("RevokeToken", { ClientId: this.clientId, Token: refreshToken }).then(() => true, () => false);
  }

  forget() {
    this.session = null;
    sessionStorage.removeItem(STORAGE_KEY);
  }

  store(result) {
    this.session = {
      idToken: result.IdToken,
      accessToken: result.AccessToken,
      refreshToken: result.RefreshToken,
      expiresAt: Date.now() + result.ExpiresIn * 1000,
    };
    sessionStorage.setItem(STORAGE_KEY, JSON.stringify(this.session));
  }

  async call(action, body) {
    let response;
    try {
      response = await fetch(this.endpoint, {
        method: "POST",
        headers: {
          "Content-Type": "application/x-amz-json-1.1",
          "X-Amz-Target": `AWSCognitoIdentityProviderService.${action}`,
        },
        body: JSON.stringify(body),
      });
    } catch {
      throw new AuthError("Could not reach the sign-in service: check your connection and try again.");
    }
    const answer = await response.json().catch(() => ({}));
    if (!response.ok) {
      const code = String(answer.__type ?? "").split("#").pop();
      throw new AuthError(MESSAGES[code] ?? answer.message ?? "Sign-in failed; try again.", code);
    }
    return answer;
  }
}

/** The stored session, or null; a session whose ID token cannot be read is dropped (signed out cleanly). */
function readSession() {
  try {
    const session = JSON.parse(sessionStorage.getItem(STORAGE_KEY));
    if (!session) return null;
    if (typeof session.idToken === "string" && session.refreshToken && decodeClaims(session.idToken)) return session;
  } catch {
    // Not JSON, or a token whose claims are not base64url JSON: the same as no session, said below.
  }
  sessionStorage.removeItem(STORAGE_KEY);
  sessionStorage.setItem("bookmarks.notice", "Your session could not be read, so you were signed out: sign in again.");
  return null;
}

/** The claims of a JWT, for display and routing only: the API verifies the token, the client need not. */
function decodeClaims(token) {
  const payload = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
  const bytes = Uint8Array.from(atob(payload.padEnd(Math.ceil(payload.length / 4) * 4, "=")), (c) =>
    c.charCodeAt(0),
  );
  return JSON.parse(new TextDecoder().decode(bytes));
}
