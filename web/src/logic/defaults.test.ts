import { create } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { ImportOptionsSchema } from "../gen/staffsync/v1/import_pb";
import { defaultsToSave, optionLines, optionsSourceLabel, uploadOptionsOver } from "./defaults";
import { defaultOptionValues, optionValuesOf } from "./options";

describe("import configuration", () => {
  const company = optionValuesOf(create(ImportOptionsSchema, { deactivateMissing: true, delimiter: "semicolon", sendPasswordEmails: true }));

  it("sends nothing for an upload that keeps the configuration", () => {
    const sent = uploadOptionsOver(company, company);
    expect(sent).toEqual(create(ImportOptionsSchema, {}));
  });

  it("sends only what this upload changes", () => {
    const values = { ...company, switches: { ...company.switches, deactivateMissing: false }, sheet: " People ", maxDeactivations: "5" };
    const sent = uploadOptionsOver(company, values);
    expect(sent.deactivateMissing).toBe(false);
    expect(sent.sendPasswordEmails).toBeUndefined();
    expect(sent.delimiter).toBe("");
    expect(sent.sheet).toBe("People");
    expect(sent.maxDeactivations).toBe(5);
    expect(sent.maxManagerChanges).toBe(0);
    expect(uploadOptionsOver(company, { ...company, delimiter: "tab" }).delimiter).toBe("tab");
  });

  it("saves the form over the stored options, keeping what the console does not show", () => {
    const stored = create(ImportOptionsSchema, { requireSecondApprover: true, addNewToOpenReviewCycles: true, deactivateMissing: false, sheet: "x" });
    const values = { ...defaultOptionValues(), switches: { ...defaultOptionValues().switches, deactivateMissing: true } };
    const saved = defaultsToSave(stored, values);
    expect(saved.requireSecondApprover).toBe(true);
    expect(saved.addNewToOpenReviewCycles).toBe(true);
    expect(saved.deactivateMissing).toBe(true);
    expect(saved.updateExistingCoreFields).toBe(true);
    expect(saved.sheet).toBe("");
    expect(saved.delimiter).toBe("auto");
  });

  it("shows every option of an import and where they came from", () => {
    const lines = optionLines(create(ImportOptionsSchema, { deactivateMissing: true, delimiter: "semicolon" }));
    expect(lines).toContain("Deactivate people missing from the file: on");
    expect(lines).toContain("Update existing people: on");
    expect(lines).toContain("CSV delimiter: Semicolon ( ; ) — European Excel");
    expect(lines).toHaveLength(7);
    expect(optionsSourceLabel("company_defaults")).toBe("the company's import configuration");
    expect(optionsSourceLabel("")).toBe("");
  });
});
