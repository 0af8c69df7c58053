import { useEffect, useState } from "preact/hooks";
import { access } from "../api";
import { Alert, Spinner } from "../components";
import type { Admin } from "../gen/staffsync/v1/access_pb";
import { errorMessage } from "../logic/errors";
import { formatRoleMapping, parseRoleMapping } from "../logic/roles";

/** Owners: admin accounts and their roles, and single sign-on through the company's provider. */
export function AccessPage() {
  const [admins, setAdmins] = useState<Admin[]>();
  const [error, setError] = useState("");
  const [notice, setNotice] = useState("");
  const [newName, setNewName] = useState("");
  const [newEmail, setNewEmail] = useState("");
  const [newRole, setNewRole] = useState("viewer");
  const [issuer, setIssuer] = useState("");
  const [clientId, setClientId] = useState("");
  const [secret, setSecret] = useState("");
  const [secretHint, setSecretHint] = useState("");
  const [domains, setDomains] = useState("");
  const [claim, setClaim] = useState("");
  const [mapping, setMapping] = useState("");
  const [display, setDisplay] = useState("");

  async function reload() {
    try {
      const [a, s] = await Promise.all([access.listAdmins({}), access.getSignInSettings({})]);
      setAdmins(a.admins);
      const st = s.settings;
      if (st) {
        setIssuer(st.issuerUrl); setClientId(st.clientId); setSecretHint(st.clientSecretHint);
        setDomains(st.allowedEmailDomains.join(", ")); setClaim(st.roleClaim); setMapping(formatRoleMapping(st.roleMapping)); setDisplay(st.displayName);
      }
    } catch (err) {
      setError(errorMessage(err));
    }
  }
  useEffect(() => void reload(), []);

  async function run(what: () => Promise<unknown>, done: string) {
    setError(""); setNotice("");
    try {
      await what();
      setNotice(done);
      await reload();
    } catch (err) {
      setError(errorMessage(err));
    }
  }

  function saveSignIn(e: Event) {
    e.preventDefault();
    const parsed = parseRoleMapping(mapping);
    if ("error" in parsed) { setError(parsed.error); return; }
    void run(() => access.setSignInSettings({
      settings: {
        issuerUrl: issuer.trim(), clientId: clientId.trim(), displayName: display.trim(), roleClaim: claim.trim(), roleMapping: parsed.mapping,
        allowedEmailDomains: domains.split(/[\s,]+/).filter(Boolean),
      },
      clientSecret: secret,
    }).then(() => setSecret("")), "Sign-in settings saved.");
  }

  return (
    <section>
      <h1 tabIndex={-1}>Access</h1>
      {notice && <Alert tone="success" title={notice} live />}
      {error && <Alert tone="error" title={error} />}
      <h2>Admins</h2>
      {!admins && !error && <Spinner label="Loading admins" />}
      {admins && (
        <table class="table">
          <thead><tr><th>Name</th><th>Email</th><th>Role</th></tr></thead>
          <tbody>
            {admins.map((a) => (
              <tr key={a.id}>
                <td>{a.name}</td>
                <td>{a.email || "-"}</td>
                <td>
                  <select aria-label={`Role of ${a.name}`} value={a.role}
                    onChange={(e) => run(() => access.setAdminRole({ adminId: a.id, role: (e.target as HTMLSelectElement).value }), `${a.name}'s role changed; their console sessions ended.`)}>
                    <option value="viewer">viewer</option>
                    <option value="admin">admin</option>
                    <option value="owner">owner</option>
                  </select>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <form class="card" onSubmit={(e) => { e.preventDefault(); void run(() => access.createAdmin({ name: newName, email: newEmail, role: newRole }), `${newName} added.`); }}>
        <h3>Add an admin</h3>
        <label for="admin-name">Name</label>
        <input id="admin-name" value={newName} onInput={(e) => setNewName((e.target as HTMLInputElement).value)} />
        <label for="admin-email">Email (as the identity provider reports it)</label>
        <input id="admin-email" type="email" value={newEmail} onInput={(e) => setNewEmail((e.target as HTMLInputElement).value)} />
        <label for="admin-role">Role</label>
        <select id="admin-role" value={newRole} onChange={(e) => setNewRole((e.target as HTMLSelectElement).value)}>
          <option value="viewer">viewer</option><option value="admin">admin</option><option value="owner">owner</option>
        </select>
        <button type="submit" class="button primary">Add admin</button>
      </form>
      <h2>Single sign-on</h2>
      <form class="card" onSubmit={saveSignIn} noValidate>
        <label for="sso-issuer">Issuer URL</label>
        <input id="sso-issuer" value={issuer} placeholder="https://acme.okta.com" onInput={(e) => setIssuer((e.target as HTMLInputElement).value)} />
        <label for="sso-client">Client id</label>
        <input id="sso-client" value={clientId} onInput={(e) => setClientId((e.target as HTMLInputElement).value)} />
        <label for="sso-secret">Client secret {secretHint && <span class="muted">({secretHint}; leave empty to keep it)</span>}</label>
        <input id="sso-secret" type="password" autoComplete="off" value={secret} onInput={(e) => setSecret((e.target as HTMLInputElement).value)} />
        <label for="sso-domains">Allowed email domains</label>
        <input id="sso-domains" value={domains} placeholder="acme.com, acme.de" onInput={(e) => setDomains((e.target as HTMLInputElement).value)} />
        <label for="sso-claim">Role claim (empty: each admin's own role)</label>
        <input id="sso-claim" value={claim} placeholder="groups" onInput={(e) => setClaim((e.target as HTMLInputElement).value)} />
        <label for="sso-mapping">Claim value = role, one per line</label>
        <textarea id="sso-mapping" rows={4} value={mapping} onInput={(e) => setMapping((e.target as HTMLTextAreaElement).value)} />
        <label for="sso-display">Button text ("Sign in with …")</label>
        <input id="sso-display" value={display} placeholder="Okta" onInput={(e) => setDisplay((e.target as HTMLInputElement).value)} />
        <p class="help">Register <code>{window.location.origin}/auth/oidc/callback</code> as the redirect URI at the provider.</p>
        <button type="submit" class="button primary">Save sign-in settings</button>
      </form>
    </section>
  );
}
