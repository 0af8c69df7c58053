import { useState } from "preact/hooks";
import { checkToken } from "../api";
import { Alert } from "../components";
import { errorMessage } from "../logic/errors";
import { saveToken } from "../session";

export function SignInPage(props: { notice: string; onSignedIn: () => void }) {
  const [token, setToken] = useState("");
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);

  async function submit(e: Event) {
    e.preventDefault();
    const t = token.trim();
    if (!t) {
      setError("Enter your admin token. `staffsync admin create-token` prints one.");
      return;
    }
    setBusy(true);
    setError("");
    try {
      await checkToken(t);
      saveToken(t);
      props.onSignedIn();
    } catch (err) {
      setError(errorMessage(err).replace("Your sign-in is no longer valid. Sign in again with an admin token.", "This token is not valid. Check it and try again."));
    } finally {
      setBusy(false);
    }
  }

  return (
    <main id="main" class="signin">
      <form class="card signin-card" onSubmit={submit} noValidate>
        <h1 tabIndex={-1}>Sign in to staffsync</h1>
        {props.notice && <Alert tone="info" title={props.notice} />}
        <label for="token">Admin token</label>
        <input
          id="token"
          name="token"
          type="password"
          autoComplete="off"
          autoFocus
          value={token}
          aria-describedby="token-help"
          aria-invalid={error !== ""}
          onInput={(e) => setToken((e.target as HTMLInputElement).value)}
        />
        <p id="token-help" class="help">
          The token is kept in this browser tab only and forgotten when you close it.
        </p>
        {error && <Alert tone="error" title={error} />}
        <button type="submit" class="button primary" disabled={busy}>
          {busy ? "Checking…" : "Sign in"}
        </button>
      </form>
    </main>
  );
}
