import { describe, expect, it } from "vitest";
import { connectionTestMessage } from "./connectionTest";

describe("connection test message", () => {
  it("is a success when the HR credentials read everything", () => {
    expect(connectionTestMessage({ ok: true, message: "connected; the credentials see 25 people and can read status", warnings: [] }))
      .toEqual({ tone: "success", text: "connected; the credentials see 25 people and can read status", details: [] });
  });
  it("lists what the credentials cannot read", () => {
    const w = ["BambooHR: the credentials cannot read the hire date; people who start in the future cannot be held as pending"];
    expect(connectionTestMessage({ ok: true, message: "connected; the credentials see 25 people but cannot read hire date", warnings: w }))
      .toEqual({ tone: "info", text: "connected; the credentials see 25 people but cannot read hire date", details: w });
  });
  it("is an error when the test failed, with a fallback text", () => {
    expect(connectionTestMessage({ ok: false, message: "", warnings: ["x"] })).toEqual({ tone: "error", text: "The connection failed.", details: [] });
  });
});
