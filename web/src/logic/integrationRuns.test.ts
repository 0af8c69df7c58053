import { create } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { IntegrationSchema, IntegrationState } from "../gen/staffsync/v1/integration_pb";
import { enableQuestion, fetchedImport, runsInfo } from "./integrationRuns";

describe("automatic runs", () => {
  it("tells what to do next in each state", () => {
    expect(runsInfo(create(IntegrationSchema, { automaticRuns: false })).label).toBe("Automatic runs off");
    expect(runsInfo(create(IntegrationSchema, { automaticRuns: false })).detail).toMatch(/^Use Fetch preview/);
    expect(runsInfo(create(IntegrationSchema, { automaticRuns: true, state: IntegrationState.PAUSED })).label).toBe("Automatic runs paused");
    expect(runsInfo(create(IntegrationSchema, { automaticRuns: true, autoApply: false, state: IntegrationState.ACTIVE })).detail).toBe("Each run waits for an admin to approve its preview.");
    expect(runsInfo(create(IntegrationSchema, { automaticRuns: true, autoApply: true, state: IntegrationState.ACTIVE })).detail).toMatch(/apply by themselves/);
  });

  it("asks before enabling, saying whether runs apply by themselves", () => {
    const i = create(IntegrationSchema, { name: "BambooHR" });
    expect(enableQuestion(i, false)).toBe("BambooHR will run on its schedule; each run waits for an admin to approve its preview.");
    expect(enableQuestion(i, true)).toMatch(/apply changes by itself/);
  });

  it("finds the import a fetch started", () => {
    const before = create(IntegrationSchema, { currentImportId: "", lastImportId: "4" });
    expect(fetchedImport(before, before)).toBe("");
    expect(fetchedImport(before, create(IntegrationSchema, { currentImportId: "7", lastImportId: "4" }))).toBe("7");
    expect(fetchedImport(before, create(IntegrationSchema, { lastImportId: "8" }))).toBe("8");
  });
});
