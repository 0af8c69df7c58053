// Turns API failures into sentences for HR admins.
import { Code, ConnectError } from "@connectrpc/connect";

export function errorMessage(err: unknown): string {
  if (err instanceof ConnectError) {
    switch (err.code) {
      case Code.Unauthenticated:
        return "Your sign-in is no longer valid. Sign in again with an admin token.";
      case Code.PermissionDenied:
        return err.rawMessage || "You are not allowed to do this.";
      case Code.Unavailable:
        return err.rawMessage && !/fetch|network/i.test(err.rawMessage)
          ? err.rawMessage
          : "The staffsync server cannot be reached. Check your connection and try again.";
      case Code.Internal:
      case Code.Unknown:
        return "Something went wrong on the server. Try again; if it keeps happening, tell your staffsync operator.";
      case Code.Canceled:
        return "The request was cancelled.";
      default:
        return err.rawMessage || "The request failed. Try again.";
    }
  }
  if (err instanceof Error && err.name === "AbortError") return "The request was cancelled.";
  return "Something went wrong. Try again.";
}

export function isUnauthenticated(err: unknown): boolean {
  return err instanceof ConnectError && err.code === Code.Unauthenticated;
}

/**
 * The error of a failed call to the upload endpoint (POST /v1/imports/upload), which answers
 * with Connect's JSON error ({"code": "invalid_argument", "message": "..."}) like an RPC.
 */
export function uploadError(status: number, body: string): ConnectError {
  try {
    const parsed: unknown = JSON.parse(body);
    if (typeof parsed === "object" && parsed !== null && "code" in parsed && typeof parsed.code === "string") {
      const message = "message" in parsed && typeof parsed.message === "string" ? parsed.message : "";
      return new ConnectError(message, codeOf(parsed.code));
    }
  } catch {
    // not JSON: a proxy's page, for example
  }
  return new ConnectError(`The upload failed (HTTP ${status}).`, status === 401 ? Code.Unauthenticated : Code.Unknown);
}

/** Code of a Connect code string: "invalid_argument" is Code.InvalidArgument. */
function codeOf(text: string): Code {
  const name = text
    .split("_")
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join("");
  const code = (Code as unknown as Record<string, Code | undefined>)[name];
  return typeof code === "number" ? code : Code.Unknown;
}
