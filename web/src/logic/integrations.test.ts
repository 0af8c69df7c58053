import { create } from "@bufbuild/protobuf";
import { durationFromMs } from "@bufbuild/protobuf/wkt";
import { describe, expect, it } from "vitest";
import { ImportOptionsSchema } from "../gen/staffsync/v1/import_pb";
import { IntegrationSchema, IntegrationState } from "../gen/staffsync/v1/integration_pb";
import {
  changedEndpoint, createRequest, droppedSecrets, editForm, emptyIntegrationForm, formProblems, hostKeyFingerprint, integrationKinds,
  stateInfo, updateRequest,
} from "./integrations";

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
    // A new integration waits for approval until an admin decides otherwise (issue 20).
    expect(req.autoApply).toBe(false);
    expect(req.showPhotos).toBe(false);
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

describe("editing an integration", () => {
  const sftp = create(IntegrationSchema, {
    id: "4", kind: "sftp", name: "Payroll", intervalSeconds: 3600n, autoApply: true,
    settings: { host: "sftp.example.com", user: "hr", glob: "people-*.csv" },
    secrets: { password: "set, ends in 9xyz" },
    options: create(ImportOptionsSchema, {
      deactivateMissing: true, updateExistingCoreFields: true, delimiter: "semicolon", maxDeactivations: 25,
      approvalTimeout: durationFromMs(72 * 3_600_000), requireSecondApprover: true,
    }),
  });

  it("starts from the integration as it is, secrets blank", () => {
    const f = editForm(sftp);
    expect(f.settings).toEqual({ host: "sftp.example.com", user: "hr", glob: "people-*.csv" });
    expect(f.secrets).toEqual({});
    expect(f.options.switches.deactivateMissing).toBe(true);
    expect(f.options.delimiter).toBe("semicolon");
    expect(f.options.maxDeactivations).toBe("25");
    expect(formProblems(f, sftp)).toEqual([]); // the password is set: blank keeps it
    expect(updateRequest(sftp, f)).toBeUndefined();
  });

  it("sends only what changed: a rotated secret, an emptied setting, the interval", () => {
    const f = editForm(sftp);
    f.name = "Payroll SFTP";
    f.settings.glob = " ";
    f.settings.dir = "/exports";
    f.secrets = { password: "new-secret", private_key: "" };
    f.intervalSeconds = 86400;
    const req = updateRequest(sftp, f)!;
    expect(req.id).toBe("4");
    expect(req.name).toBe("Payroll SFTP");
    expect(req.settings).toEqual({ glob: "", dir: "/exports" });
    expect(req.secrets).toEqual({ password: "new-secret" });
    expect(req.intervalSeconds).toBe(86400n);
    expect(req.autoApply).toBeUndefined();
    expect(req.options).toBeUndefined();
  });

  it("keeps the options the form does not show when the options change", () => {
    const f = editForm(sftp);
    f.options.switches.deactivateMissing = false;
    const req = updateRequest(sftp, f)!;
    expect(req.options?.deactivateMissing).toBe(false);
    expect(req.options?.delimiter).toBe("semicolon");
    expect(req.options?.requireSecondApprover).toBe(true);
    expect(Number(req.options?.approvalTimeout?.seconds)).toBe(72 * 3600);
  });
});

describe("secrets stay with their endpoint", () => {
  const bamboo = create(IntegrationSchema, {
    id: "7", kind: "bamboohr", name: "BambooHR", intervalSeconds: 10800n,
    settings: { subdomain: "acme" }, secrets: { api_key: "set, ends in abcd" },
  });

  it("keeps the stored key when the address is the same", () => {
    const f = editForm(bamboo);
    f.name = "BambooHR (Acme)";
    expect(changedEndpoint(bamboo, f)).toEqual([]);
    expect(droppedSecrets(bamboo, f)).toEqual([]);
    expect(formProblems(f, bamboo)).toEqual([]);
  });

  it("asks for the key again when the subdomain or API address changes", () => {
    for (const change of [{ subdomain: "evil" }, { base_url: "https://evil.example" }]) {
      const f = editForm(bamboo);
      Object.assign(f.settings, change);
      expect(droppedSecrets(bamboo, f)).toEqual(["api_key"]);
      expect(formProblems(f, bamboo)).toEqual(['Fill in "API key".']);
      f.secrets.api_key = "new-key";
      expect(droppedSecrets(bamboo, f)).toEqual([]);
      expect(formProblems(f, bamboo)).toEqual([]);
    }
  });

  it("knows the SFTP endpoint settings, and that the folder is not one", () => {
    const sftp = create(IntegrationSchema, {
      id: "8", kind: "sftp", name: "Payroll", settings: { host: "sftp.example.com", user: "hr" },
      secrets: { password: "set", private_key: "set" },
    });
    const f = editForm(sftp);
    f.settings.dir = "/out";
    expect(droppedSecrets(sftp, f)).toEqual([]);
    f.settings.port = "2222";
    expect(changedEndpoint(sftp, f)).toEqual(["port"]);
    expect(droppedSecrets(sftp, f)).toEqual(["password", "private_key"]);
  });
});
