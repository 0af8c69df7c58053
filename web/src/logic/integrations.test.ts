import { describe, expect, it } from "vitest";
import { IntegrationState } from "../gen/staffsync/v1/integration_pb";
import { createRequest, emptyIntegrationForm, formProblems, hostKeyFingerprint, integrationKinds, stateInfo } from "./integrations";

describe("integration form", () => {
  it("asks for the name and the kind's required fields", () => {
    expect(formProblems(emptyIntegrationForm("sftp"))).toEqual([
      'Give the integration a name, e.g. "Payroll export".',
      'Fill in "Host".',
      'Fill in "User name".',
    ]);
    expect(formProblems({ ...emptyIntegrationForm("bamboohr"), name: "HR", settings: { subdomain: "acme" } })).toEqual(['Fill in "API key".']);
    expect(formProblems({ ...emptyIntegrationForm("nope"), name: "x" })).toEqual(["Choose what kind of source this is."]);
  });

  it("sends only the kind's own non-empty fields", () => {
    const f = emptyIntegrationForm("https");
    f.name = " Payroll ";
    f.settings = { url: " https://hr.example.com/p.csv ", username: "", host: "left over from sftp" };
    f.secrets = { token: "abc", password: "" };
    f.intervalSeconds = 3600;
    const req = createRequest(f);
    expect(req.kind).toBe("https");
    expect(req.name).toBe("Payroll");
    expect(req.settings).toEqual({ url: "https://hr.example.com/p.csv" });
    expect(req.secrets).toEqual({ token: "abc" });
    expect(req.intervalSeconds).toBe(3600n);
    expect(req.autoApply).toBe(true);
    expect(req.options?.updateExistingCoreFields).toBe(true);
  });

  it("has a form for every kind the API accepts", () => {
    expect(integrationKinds.map((k) => k.kind)).toEqual(["https", "sftp", "sftp-drop", "bamboohr", "personio"]);
  });
});

describe("stateInfo", () => {
  it.each([
    [{ state: IntegrationState.ACTIVE, pausedReason: "", lastError: "", consecutiveFailures: 0 }, { label: "Active", tone: "good", detail: "" }],
    [{ state: IntegrationState.PAUSED, pausedReason: "BambooHR refused the API key", lastError: "", consecutiveFailures: 0 }, { label: "Paused", tone: "neutral", detail: "BambooHR refused the API key" }],
    [{ state: IntegrationState.FAILING, pausedReason: "", lastError: "connection refused", consecutiveFailures: 3 }, { label: "Failing", tone: "bad", detail: "connection refused (3 runs in a row)" }],
    [{ state: IntegrationState.AWAITING_APPROVAL, pausedReason: "", lastError: "", consecutiveFailures: 0 }, { label: "Awaiting approval", tone: "waiting", detail: "A run found changes that wait for an admin's approval." }],
  ])("explains state %#", (i, want) => {
    expect(stateInfo(i)).toEqual(want);
  });
});

describe("hostKeyFingerprint", () => {
  it.each([
    ["connected; server host key SHA256:nThbg6kXUpJWGl7E1IGOCspRomTxdCARLviKw6E5SY8 (pin it with host_key)", "SHA256:nThbg6kXUpJWGl7E1IGOCspRomTxdCARLviKw6E5SY8"],
    ["connected; the credentials see 25 people", undefined],
    ["SHA256:short", undefined],
  ])("finds the fingerprint in %s", (message, want) => {
    expect(hostKeyFingerprint(message)).toBe(want);
  });
});
