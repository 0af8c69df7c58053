import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { describe, expect, it } from "vitest";
import { HrOwnedRevertSchema, KeptFieldSchema, NamedPersonSchema } from "../gen/staffsync/v1/import_pb";
import { canPauseFirst, hrOwnedLine, keptLine, keptTitle } from "./revert";

describe("revert confirmation", () => {
  it("says which field stays, who changed it and what is not restored", () => {
    const k = create(KeptFieldSchema, {
      person: create(NamedPersonSchema, { name: "Léa Roux", email: "lea@x" }),
      field: "status", current: "Inactive", importOld: "Active", changedBy: "Ada Admin",
      changedAt: timestampFromDate(new Date(2026, 2, 1, 10, 0)),
    });
    expect(keptLine(k)).toBe("Léa Roux: Status stays Inactive (changed by Ada Admin on 2026-03-01 10:00; the import had replaced Active).");
    const m = create(KeptFieldSchema, { person: create(NamedPersonSchema, { email: "bo@x" }), field: "manager_email", current: "", importOld: "ida@x" });
    expect(keptLine(m)).toBe("bo@x: Manager stays (empty) (the import had replaced ida@x).");
  });

  it("counts the kept fields", () => {
    expect(keptTitle(0)).toBe("");
    expect(keptTitle(1)).toBe("1 field was changed after this import and is kept as it is.");
    expect(keptTitle(3n)).toBe("3 fields were changed after this import and are kept as they are.");
  });

  it("explains HR-owned fields and offers to pause only a running integration", () => {
    const h = create(HrOwnedRevertSchema, { integrationName: "BambooHR", fields: ["title", "department"], people: 2n });
    expect(hrOwnedLine(h)).toBe("BambooHR owns Title and Department of 2 people in this revert. It sets them again at its next run unless you pause it first or change them in the HR system.");
    expect(canPauseFirst([h])).toBe(true);
    expect(canPauseFirst([{ ...h, paused: true }])).toBe(false);
    expect(canPauseFirst([])).toBe(false);
  });
});
