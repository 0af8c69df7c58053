// Roles as the server enforces them (api/authz.go): owner > admin > viewer. The console hides
// what a role cannot do; the server refuses it anyway.
export type Role = "owner" | "admin" | "viewer" | "";

const rank: Record<Role, number> = { "": 0, viewer: 1, admin: 2, owner: 3 };

/** Whether role may do what needs `need`; an unknown role may do nothing. */
export function can(role: Role, need: Exclude<Role, "">): boolean {
  return rank[role] > 0 && rank[role] >= rank[need];
}

export function parseRole(s: string): Role {
  return s === "owner" || s === "admin" || s === "viewer" ? s : "";
}

/** Reads one cookie from document.cookie text. */
export function cookieValue(cookies: string, name: string): string {
  for (const part of cookies.split(";")) {
    const [k, ...v] = part.trim().split("=");
    if (k === name) return decodeURIComponent(v.join("="));
  }
  return "";
}

/** The state of a token as the list shows it. */
export function tokenState(t: { revokedAt?: unknown; expiresAt?: { seconds: bigint } }, now: Date): "active" | "revoked" | "expired" {
  if (t.revokedAt) return "revoked";
  if (t.expiresAt && Number(t.expiresAt.seconds) * 1000 <= now.getTime()) return "expired";
  return "active";
}

/** Parses "value = role" lines of the role mapping; returns the map or the first bad line. */
export function parseRoleMapping(text: string): { mapping: Record<string, string> } | { error: string } {
  const mapping: Record<string, string> = {};
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (!line) continue;
    const at = line.lastIndexOf("=");
    const value = line.slice(0, at).trim();
    const role = parseRole(line.slice(at + 1).trim());
    if (at <= 0 || !value || !role) return { error: `"${line}": write one claim value = owner, admin or viewer per line` };
    mapping[value] = role;
  }
  return { mapping };
}

export function formatRoleMapping(m: Record<string, string>): string {
  return Object.keys(m).sort().map((k) => `${k} = ${m[k]}`).join("\n");
}
