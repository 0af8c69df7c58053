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
