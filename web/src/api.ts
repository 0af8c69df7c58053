// Connect RPC clients of the console. Calls go to the same origin that served the page.
import { createClient, type Client, type Interceptor } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-web";
import { DirectoryService } from "./gen/staffsync/v1/directory_pb";
import { ImportService } from "./gen/staffsync/v1/import_pb";
import { IntegrationService } from "./gen/staffsync/v1/integration_pb";
import { isUnauthenticated } from "./logic/errors";
import { clearToken, loadToken } from "./session";

let onSignedOut: () => void = () => {};

/** Called when the server no longer accepts the token (revoked, or a new dev stack). */
export function setSignedOutHandler(handler: () => void): void {
  onSignedOut = handler;
}

const auth: Interceptor = (next) => async (req) => {
  const token = loadToken();
  if (token) req.header.set("Authorization", `Bearer ${token}`);
  try {
    return await next(req);
  } catch (err) {
    if (isUnauthenticated(err) && token) {
      clearToken();
      onSignedOut();
    }
    throw err;
  }
};

const transport = createConnectTransport({
  baseUrl: window.location.origin,
  interceptors: [auth],
});

export const imports: Client<typeof ImportService> = createClient(ImportService, transport);
export const directory: Client<typeof DirectoryService> = createClient(DirectoryService, transport);
export const integrations: Client<typeof IntegrationService> = createClient(IntegrationService, transport);

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
