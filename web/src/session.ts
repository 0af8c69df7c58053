// The admin token lives in sessionStorage only: it is gone when the browser tab closes.
// A single sign-on session lives in an HttpOnly cookie the page cannot read; the page reads
// only its CSRF token (cookie staffsync_csrf) and sends it back in X-CSRF-Token.
import { cookieValue } from "./logic/roles";

const key = "staffsync.adminToken";

export function loadToken(): string {
  try {
    return sessionStorage.getItem(key) ?? "";
  } catch {
    return "";
  }
}

export function saveToken(token: string): void {
  sessionStorage.setItem(key, token);
}

export function clearToken(): void {
  sessionStorage.removeItem(key);
}

/** The CSRF token of a single sign-on session, or "" when there is none. */
export function loadCsrf(): string {
  return cookieValue(document.cookie, "staffsync_csrf");
}

/** Ends a single sign-on session on the server and forgets its cookies. */
export async function endSession(): Promise<void> {
  const csrf = loadCsrf();
  if (!csrf) return;
  await fetch(`${window.location.origin}/auth/signout`, { method: "POST", headers: { "X-CSRF-Token": csrf } });
}
