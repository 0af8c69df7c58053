import type { TestConnectionResponse } from "../gen/staffsync/v1/integration_pb";

/** What a connection test shows under the integration: a line, and for HR systems what the credentials can read. */
export type ConnectionTestMessage = { tone: "success" | "error" | "info"; text: string; details: string[] };

/**
 * connectionTestMessage words a connection test: the server's message, then one line per field
 * a sync depends on that the HR credentials cannot read (the warnings say what follows). A test
 * that connects but cannot read everything is "info", not "success": the admin has work to do.
 */
export function connectionTestMessage(res: Pick<TestConnectionResponse, "ok" | "message" | "warnings">): ConnectionTestMessage {
  const text = res.message || (res.ok ? "The connection works." : "The connection failed.");
  if (!res.ok) return { tone: "error", text, details: [] };
  return { tone: res.warnings.length > 0 ? "info" : "success", text, details: [...res.warnings] };
}
