import { useEffect, useState } from "preact/hooks";
import { access } from "../api";
import { Alert, Spinner } from "../components";
import type { Token } from "../gen/staffsync/v1/access_pb";
import { errorMessage } from "../logic/errors";
import { formatDateTime } from "../logic/format";
import { tokenState } from "../logic/roles";

const day = 24 * 3600;

/** API tokens for scripts: create (the secret is shown once), list, revoke. Owners only. */
export function TokensPage() {
  const [tokens, setTokens] = useState<Token[]>();
  const [error, setError] = useState("");
  const [name, setName] = useState("");
  const [role, setRole] = useState("viewer");
  const [days, setDays] = useState("90");
  const [secret, setSecret] = useState("");

  async function reload() {
    try {
      setTokens((await access.listTokens({})).tokens);
    } catch (err) {
      setError(errorMessage(err));
    }
  }
  useEffect(() => void reload(), []);

  async function create(e: Event) {
    e.preventDefault();
    setError("");
    setSecret("");
    const n = Number(days);
    if (!Number.isInteger(n) || n < 1 || n > 366) {
      setError("The token expires after 1 to 366 days.");
      return;
    }
    try {
      const r = await access.createToken({ name, role, expiresIn: { seconds: BigInt(n * day), nanos: 0 } });
      setSecret(r.secret);
      setName("");
      await reload();
    } catch (err) {
      setError(errorMessage(err));
    }
  }

  async function revoke(t: Token) {
    if (!window.confirm(`Revoke the token "${t.name}"? Scripts using it stop working at once.`)) return;
    try {
      await access.revokeToken({ id: t.id });
      await reload();
    } catch (err) {
      setError(errorMessage(err));
    }
  }

  const now = new Date();
  return (
    <section>
      <h1 tabIndex={-1}>API tokens</h1>
      <p class="muted">Tokens let scripts and <code>staffsyncctl</code> call staffsync. A token can do at most what its role allows, and never more than its maker.</p>
      <form class="card" onSubmit={create}>
        <h2>New token</h2>
        <label for="token-name">Name (what uses it)</label>
        <input id="token-name" value={name} maxLength={100} onInput={(e) => setName((e.target as HTMLInputElement).value)} />
        <label for="token-role">Role</label>
        <select id="token-role" value={role} onChange={(e) => setRole((e.target as HTMLSelectElement).value)}>
          <option value="viewer">viewer (reads)</option>
          <option value="admin">admin (imports, approvals, directory, integrations)</option>
          <option value="owner">owner (everything)</option>
        </select>
        <label for="token-days">Expires after (days)</label>
        <input id="token-days" type="number" min={1} max={366} value={days} onInput={(e) => setDays((e.target as HTMLInputElement).value)} />
        <button type="submit" class="button primary">Create token</button>
      </form>
      {secret && (
        <Alert tone="success" title="Copy the token now: it is not shown again.">
          <code class="secret" data-testid="new-token">{secret}</code>
        </Alert>
      )}
      {error && <Alert tone="error" title={error} />}
      {!tokens && !error && <Spinner label="Loading tokens" />}
      {tokens && (
        <table class="table">
          <thead>
            <tr><th>Name</th><th>Role</th><th>Admin</th><th>State</th><th>Expires</th><th>Last used</th><th></th></tr>
          </thead>
          <tbody>
            {tokens.map((t) => {
              const state = tokenState(t, now);
              return (
                <tr key={t.id}>
                  <td>{t.name}</td>
                  <td>{t.role}</td>
                  <td>{t.adminName}</td>
                  <td>{state}</td>
                  <td>{t.expiresAt ? formatDateTime(t.expiresAt) : "never"}</td>
                  <td>{t.lastUsedAt ? formatDateTime(t.lastUsedAt) : "never"}</td>
                  <td>{state === "active" && <button type="button" class="button link" onClick={() => revoke(t)}>Revoke</button>}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </section>
  );
}
