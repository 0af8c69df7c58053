import { useState } from "preact/hooks";
import { checkToken } from "../api";
import { Alert } from "../components";
import { errorMessage } from "../logic/errors";
import { saveToken } from "../session";

/** The identity provider's name for the company, or "" when it has none. */
async function providerName(company: string): Promise<string> {
  const res = await fetch(`${window.location.origin}/auth/oidc/provider?company=${encodeURIComponent(company)}`);
  if (!res.ok) return "";
  const body = (await res.json()) as { display_name?: string };
  return body.display_name ?? "";
}

const companyKey = "staffsync.company";

export function SignInPage(props: { notice: string; onSignedIn: () => void }) {
  const [token, setToken] = useState("");
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);
  const [company, setCompany] = useState(() => localStorage.getItem(companyKey) ?? "");
  const [provider, setProvider] = useState("");
  const [ssoError] = useState(() => new URLSearchParams(window.location.search).get("error") ?? "");

  async function submit(e: Event) {
    e.preventDefault();
    const t = token.trim();
    if (!t) {
      setError("Enter your admin token. `staffsyncctl tokens create` or `staffsync admin create-token` prints one.");
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

  async function lookUp() {
    const c = company.trim();
    setProvider(c ? await providerName(c).catch(() => "") : "");
  }

  function startSSO(e: Event) {
    e.preventDefault();
    const c = company.trim();
    if (!c) {
      setError("Enter your company's name to sign in with its identity provider.");
      return;
    }
    localStorage.setItem(companyKey, c);
    window.location.assign(`/auth/oidc/start?company=${encodeURIComponent(c)}&return_to=/import`);
  }

  return (
    <main id="main" class="signin">
      <div class="card signin-card">
        <h1 tabIndex={-1}>Sign in to staffsync</h1>
        {props.notice && <Alert tone="info" title={props.notice} />}
        {ssoError && <Alert tone="error" title={ssoError} />}
        <form onSubmit={startSSO} noValidate>
          <label for="company">Company</label>
          <input
            id="company"
            name="company"
            autoComplete="organization"
            value={company}
            onInput={(e) => setCompany((e.target as HTMLInputElement).value)}
            onBlur={lookUp}
          />
          <button type="submit" class="button primary">
            {provider ? `Sign in with ${provider}` : "Sign in with your identity provider"}
          </button>
        </form>
        <form onSubmit={submit} noValidate>
          <label for="token">Or an admin token</label>
          <input
            id="token"
            name="token"
            type="password"
            autoComplete="off"
            value={token}
            aria-describedby="token-help"
            aria-invalid={error !== ""}
            onInput={(e) => setToken((e.target as HTMLInputElement).value)}
          />
          <p id="token-help" class="help">
            The token is kept in this browser tab only and forgotten when you close it.
          </p>
          {error && <Alert tone="error" title={error} />}
          <button type="submit" class="button secondary" disabled={busy}>
            {busy ? "Checking…" : "Sign in with the token"}
          </button>
        </form>
      </div>
    </main>
  );
}
