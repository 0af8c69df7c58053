import { create } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { ImportOptionsSchema } from "../gen/staffsync/v1/import_pb";
import { changedFromDefaults, defaultOptionValues, guardLimitError, optionsToProto, switchOptions } from "./options";

describe("import options", () => {
  it("preselects the defaults of import-rules.md section 5", () => {
    expect(defaultOptionValues().switches).toEqual({
      sendPasswordEmails: false,
      updateExistingCoreFields: true,
      updateManagersOfExisting: true,
      setManagersOfNew: true,
      deactivateMissing: false,
      reactivateMatching: true,
    });
    expect(defaultOptionValues().delimiter).toBe("auto");
  });

  it("explains every option in one line", () => {
    for (const o of switchOptions) {
      expect(o.explanation.length).toBeGreaterThan(20);
      expect(o.explanation).not.toContain("\n");
    }
  });

  it("sends every switch explicitly and the guard limits as numbers", () => {
    const v = defaultOptionValues();
    v.switches.deactivateMissing = true;
    v.delimiter = "semicolon";
    v.sheet = " People ";
    v.maxDeactivations = "25";
    v.maxManagerChanges = "-1";
    const p = optionsToProto(v);
    expect(p.deactivateMissing).toBe(true);
    expect(p.sendPasswordEmails).toBe(false);
    expect(p.updateExistingCoreFields).toBe(true);
    expect(p.delimiter).toBe("semicolon");
    expect(p.sheet).toBe("People");
    expect(p.maxDeactivations).toBe(25);
    expect(p.maxManagerChanges).toBe(-1);
    expect(optionsToProto(defaultOptionValues()).maxDeactivations).toBe(0);
  });

  it.each([
    ["", undefined],
    ["10", undefined],
    ["-1", undefined],
    ["ten", "Enter a whole number, e.g. 10, or leave it empty for the default."],
    ["1.5", "Enter a whole number, e.g. 10, or leave it empty for the default."],
  ])("checks guard limit %j", (raw, want) => {
    expect(guardLimitError(raw)).toBe(want);
  });

  it("lists the switches that differ from the defaults", () => {
    expect(changedFromDefaults(create(ImportOptionsSchema, { deactivateMissing: true, setManagersOfNew: true }))).toEqual([
      "Deactivate people missing from the file: on",
    ]);
    expect(changedFromDefaults(undefined)).toEqual([]);
  });
});
