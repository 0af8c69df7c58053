// Connect RPC clients of the console. Calls go to the same origin that served the page.
import { fromJson, toJsonString } from "@bufbuild/protobuf";
import { createClient, type Client, type Interceptor } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-web";
import { CycleService } from "./gen/staffsync/v1/cycle_pb";
import { DirectoryService } from "./gen/staffsync/v1/directory_pb";
import {
  ImportOptionsSchema,
  ImportService,
  StartImportResponseSchema,
  type ImportOptions,
  type StartImportResponse,
} from "./gen/staffsync/v1/import_pb";
import { IntegrationService } from "./gen/staffsync/v1/integration_pb";
import { isUnauthenticated, uploadError } from "./logic/errors";
import { AccessService } from "./gen/staffsync/v1/access_pb";
import { clearToken, loadCsrf, loadToken } from "./session";

let onSignedOut: () => void = () => {};

/** Called when the server no longer accepts the token (revoked, or a new dev stack). */
export function setSignedOutHandler(handler: () => void): void {
  onSignedOut = handler;
}

/** The credential headers: the pasted token, or the session's CSRF token (the cookie goes by itself). */
function credentialHeaders(): Record<string, string> {
  const token = loadToken();
  if (token) return { Authorization: `Bearer ${token}` };
  const csrf = loadCsrf();
  return csrf ? { "X-CSRF-Token": csrf } : {};
}

const auth: Interceptor = (next) => async (req) => {
  const headers = credentialHeaders();
  for (const [k, v] of Object.entries(headers)) req.header.set(k, v);
  try {
    return await next(req);
  } catch (err) {
    signOutIfRefused(err, Object.keys(headers).length > 0);
    throw err;
  }
};

/** Forgets a credential the server refused, so the console asks to sign in again. */
function signOutIfRefused(err: unknown, hadCredential: boolean): void {
  if (isUnauthenticated(err) && hadCredential) {
    clearToken();
    onSignedOut();
  }
}

const transport = createConnectTransport({
  baseUrl: window.location.origin,
  interceptors: [auth],
});

export const imports: Client<typeof ImportService> = createClient(ImportService, transport);
export const directory: Client<typeof DirectoryService> = createClient(DirectoryService, transport);
export const integrations: Client<typeof IntegrationService> = createClient(IntegrationService, transport);
export const cycles: Client<typeof CycleService> = createClient(CycleService, transport);
export const access: Client<typeof AccessService> = createClient(AccessService, transport);

/**
 * Starts an import of a file through POST /v1/imports/upload, the answer of StartImport. The
 * browser streams the file from disk and the server streams it into its database; an RPC
 * would hold the whole file in the page and in the server first.
 */
export async function uploadImport(fileName: string, file: Blob, options: ImportOptions): Promise<StartImportResponse> {
  const query = new URLSearchParams({ file_name: fileName, options: toJsonString(ImportOptionsSchema, options) });
  const credentials = credentialHeaders();
  const headers: Record<string, string> = { "Content-Type": "application/octet-stream", ...credentials };
  const res = await fetch(`${window.location.origin}/v1/imports/upload?${query}`, { method: "POST", body: file, headers });
  const body = await res.text();
  if (!res.ok) {
    const err = uploadError(res.status, body);
    signOutIfRefused(err, Object.keys(credentials).length > 0);
    throw err;
  }
  return fromJson(StartImportResponseSchema, JSON.parse(body));
}

/** Checks a token before keeping it: a cheap authenticated call. */
export async function checkToken(token: string): Promise<void> {
  const probe = createClient(
    ImportService,
    createConnectTransport({ baseUrl: window.location.origin }),
  );
  await probe.listImports({ pageSize: 1 }, { headers: { Authorization: `Bearer ${token}` } });
}

/** Saves bytes the server returned (template, export) as a download. */
export function downloadBytes(fileName: string, contentType: string, content: Uint8Array): void {
  const blob = new Blob([content as BlobPart], { type: contentType || "application/octet-stream" });
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = fileName;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
