// The admin token lives in sessionStorage only: it is gone when the browser tab closes.
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
