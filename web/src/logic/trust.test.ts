import { create } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { PersonSchema } from "../gen/staffsync/v1/directory_pb";
import { ChangeKind, DiagnoseImportResponseSchema, DiagnosedPersonSchema, SummarySchema } from "../gen/staffsync/v1/import_pb";
import { diagnosisSections, pendingNote, pendingLines, personStatus, statusAction } from "./trust";

describe("pending people", () => {
  it.each([
    [{ active: true, pending: false, hireDate: "2020-01-01" }, "Active", "good", "Deactivate"],
    [{ active: false, pending: true, hireDate: "2027-01-04" }, "Pending · starts 2027-01-04", "pending", "Activate now"],
    [{ active: false, pending: true, hireDate: "" }, "Pending", "pending", "Activate now"],
    [{ active: false, pending: false, hireDate: "2020-01-01" }, "Deactivated", "neutral", "Reactivate"],
  ])("%j is %s", (fields, text, tone, action) => {
    const p = create(PersonSchema, fields);
    expect(personStatus(p)).toEqual({ text, tone });
    expect(statusAction(p)).toBe(action);
  });

  it("counts pending people apart from the billable ones", () => {
    expect(pendingNote(0)).toBe("");
    expect(pendingNote(1200)).toBe(" · 1,200 pending (not started yet, not billable)");
  });

  it("says who will be pending and who starts", () => {
    expect(pendingLines(create(SummarySchema, {}), false)).toEqual([]);
    const s = create(SummarySchema, { pending: 1n, started: 2n });
    expect(pendingLines(s, false)).toEqual([
      "1 person will be pending: not started yet, not billable, no password email until their hire date.",
      "2 people start now and will be activated.",
    ]);
    expect(pendingLines(s, true)[1]).toBe("2 people started today and were activated.");
  });
});

describe("diagnosis", () => {
  it("words the sections for an HR sync and says when a list was cut", () => {
    const d = create(DiagnoseImportResponseSchema, {
      fromSource: true,
      notImported: [create(DiagnosedPersonSchema, { row: 7, name: "Bob", sourceId: "41", kind: ChangeKind.ERROR, reason: "not imported: no work email" })],
      notImportedTotal: 1n,
      notInSource: [create(DiagnosedPersonSchema, { name: "Cat", sourceId: "77", kind: ChangeKind.DEACTIVATED })],
      notInSourceTotal: 3n,
    });
    const [notImported, notIn] = diagnosisSections(d);
    expect(notImported.title).toBe("Not imported from the source");
    expect(notImported.people).toHaveLength(1);
    expect(notImported.more).toBe("");
    expect(notIn.title).toBe("In staffsync but not in the source");
    expect(notIn.total).toBe(3);
    expect(notIn.more).toBe("and 2 more");
  });

  it("words them for a file and has an empty message", () => {
    const [notImported, notIn] = diagnosisSections(create(DiagnoseImportResponseSchema, {}));
    expect(notImported.title).toBe("Not imported from the file");
    expect(notImported.people).toEqual([]);
    expect(notImported.empty).toBe("Every record the file sent was imported.");
    expect(notIn.empty).toContain("only when \"Deactivate people missing from the file\" is on");
  });
});
