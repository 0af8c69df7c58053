import { Code } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { errorMessage, uploadError } from "./errors";

describe("uploadError", () => {
  it.each([
    [400, '{"code":"invalid_argument","message":"the file is empty"}', Code.InvalidArgument, "the file is empty"],
    [412, '{"code":"failed_precondition","message":"an import is running"}', Code.FailedPrecondition, "an import is running"],
    [401, '{"code":"unauthenticated","message":"bad token"}', Code.Unauthenticated, "bad token"],
    [500, '{"code":"no_such_code"}', Code.Unknown, ""],
    [502, "<html>Bad gateway</html>", Code.Unknown, "The upload failed (HTTP 502)."],
    [401, "", Code.Unauthenticated, "The upload failed (HTTP 401)."],
  ])("HTTP %i %s", (status, body, code, message) => {
    const err = uploadError(status, body);
    expect(err.code).toBe(code);
    expect(err.rawMessage).toBe(message);
  });

  it("reads as an RPC error does", () => {
    expect(errorMessage(uploadError(400, '{"code":"invalid_argument","message":"the file is empty"}'))).toBe("the file is empty");
  });
});
