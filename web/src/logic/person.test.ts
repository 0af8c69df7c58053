import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { describe, expect, it } from "vitest";
import { HistoryEntrySchema, MergePeopleResponseSchema, PersonRefSchema, PersonSchema } from "../gen/staffsync/v1/directory_pb";
import { formOf, historyTitle, mergeSummary, personValue, updateRequest } from "./person";

const ann = create(PersonSchema, {
  id: "7", firstName: "Ann", lastName: "Lee", email: "ann@acme.example", title: "Engineer",
  managerEmail: "bo@acme.example", hireDate: "2024-02-01", employmentType: "Full-time", active: true,
});

describe("person form", () => {
  it("reads every field by its machine name", () => {
    expect(personValue(ann, "first_name")).toBe("Ann");
    expect(personValue(ann, "manager_email")).toBe("bo@acme.example");
    expect(personValue(ann, "team")).toBe("");
    expect(formOf(ann).hire_date).toBe("2024-02-01");
  });
  it("sends only what changed, and clears what was emptied", () => {
    const form = { ...formOf(ann), title: " Head of People ", manager_email: "", team: "People" };
    const req = updateRequest(ann, form);
    expect(req?.person).toBe("7");
    expect(req?.fields.map((f) => [f.field, f.value, f.clear])).toEqual([
      ["title", "Head of People", false],
      ["manager_email", "", true],
      ["team", "People", false],
    ]);
  });
  it("sends nothing when nothing changed (spaces around a value are not a change)", () => {
    expect(updateRequest(ann, { ...formOf(ann), first_name: "Ann " })).toBeUndefined();
  });
});

describe("historyTitle", () => {
  const at = timestampFromDate(new Date(2026, 2, 1, 9, 5));
  it("says what happened, when, by whom and through which import", () => {
    expect(historyTitle(create(HistoryEntrySchema, { kind: "updated", at, admin: "Ada", importId: "12", importSource: "upload" })))
      .toBe("Updated 2026-03-01 09:05 by Ada, import 12");
    expect(historyTitle(create(HistoryEntrySchema, { kind: "new", at, importId: "3", importSource: "bamboohr" })))
      .toBe("Added 2026-03-01 09:05, import 3 (bamboohr)");
    expect(historyTitle(create(HistoryEntrySchema, { kind: "deactivated", at, admin: "Ada", mergedFrom: "old@acme.example" })))
      .toBe("Deactivated 2026-03-01 09:05 by Ada, on the merged account old@acme.example");
  });
});

describe("mergeSummary", () => {
  const source = create(PersonRefSchema, { id: "3", email: "ann.old@acme.example", name: "Ann Old" });
  const destination = create(PersonRefSchema, { id: "7", email: "ann@acme.example", name: "Ann Lee" });
  it("says what would move before the merge", () => {
    const res = create(MergePeopleResponseSchema, {
      source, destination, dryRun: true, reportsMoved: [create(PersonRefSchema, { id: "9" }), create(PersonRefSchema, { id: "10" })],
      cycleParticipationsMoved: 1n, historyEntries: 12n, cyclesKeptWithSource: 1n,
    });
    expect(mergeSummary(res)).toBe(
      "Merging would move 2 direct reports, 1 cycle participation and 12 history entries from Ann Old to Ann Lee; 1 cycle stays with Ann Old, where Ann Lee already takes part, and deactivate Ann Old.",
    );
  });
  it("says what moved after it", () => {
    const res = create(MergePeopleResponseSchema, { source, destination, historyEntries: 1n, sourceDeactivated: true });
    expect(mergeSummary(res)).toBe("Moved 1 history entry from Ann Old to Ann Lee, and deactivated Ann Old.");
    expect(mergeSummary(create(MergePeopleResponseSchema, { source, destination }))).toBe("Moved nothing from Ann Old to Ann Lee.");
  });
});
