import { create } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { ChangeKind, ChangeSchema, FieldChangeSchema, ImportSchema, ProblemSchema, SummarySchema, type Change } from "../gen/staffsync/v1/import_pb";
import {
  ARROW,
  blankCellsNote,
  changeGroups,
  changeSentence,
  foldLabel,
  isCleared,
  namesFromChanges,
  personEmailsOf,
  reasonWithoutKind,
  uniqueProblems,
  splitEmails,
  withArrows,
} from "./changeView";
import { noFilter } from "./preview";

function change(kind: ChangeKind, init: Partial<{ reasonCode: string; reason: string; fields: [string, string, string][]; errors: string[]; email: string; name: string }>): Change {
  return create(ChangeSchema, {
    kind,
    email: init.email ?? "ann@acme.example",
    name: init.name ?? "Ann Lee",
    reasonCode: init.reasonCode ?? "",
    reason: init.reason ?? "",
    fields: (init.fields ?? []).map(([field, old, nw]) => create(FieldChangeSchema, { field, old, new: nw })),
    errors: (init.errors ?? []).map((message) => create(ProblemSchema, { message, field: "manager_email" })),
  });
}

// acme-like: 13 changes among 49 unchanged rows.
const acme = create(SummarySchema, { new: 3n, updated: 6n, deactivated: 2n, error: 2n, unchanged: 49n });

describe("change groups", () => {
  it("puts the changes first in the bar's order and folds the unchanged last", () => {
    expect(changeGroups(noFilter, acme)).toEqual([
      { key: "new", folded: false },
      { key: "updated", folded: false },
      { key: "deactivated", folded: false },
      { key: "error", folded: false },
      { key: "unchanged", folded: true },
    ]);
  });

  it("shows a chosen kind alone and open, the unchanged too", () => {
    expect(changeGroups({ ...noFilter, kind: "unchanged" }, acme)).toEqual([{ key: "unchanged", folded: false }]);
  });

  it("asks for every kind when a search or the warnings filter narrows the rows", () => {
    const keys = changeGroups({ ...noFilter, search: "ann" }, acme).map((g) => g.key);
    expect(keys).toEqual(["new", "updated", "reactivated", "deactivated", "error", "unchanged"]);
    expect(changeGroups({ ...noFilter, warningsOnly: true }, acme).length).toBe(6);
  });

  it("has no groups for an empty preview", () => {
    expect(changeGroups(noFilter, create(SummarySchema, {}))).toEqual([]);
  });

  it("labels a folded group with its count", () => {
    expect(foldLabel(49, "unchanged")).toBe("49 unchanged – show");
    expect(foldLabel(1234, "unchanged")).toBe("1,234 unchanged – show");
  });
});

describe("row sentences", () => {
  it("states a one-field update as the change itself", () => {
    const s = changeSentence(change(ChangeKind.UPDATED, { reasonCode: "fields_changed", reason: "updated: Title changed", fields: [["title", "Director", "Senior Director"]] }));
    expect(s).toEqual({ type: "field", field: "title", label: "Title", old: "Director", new: "Senior Director", cleared: false });
  });

  it("marks a cleared field as a removal", () => {
    const s = changeSentence(change(ChangeKind.UPDATED, { reasonCode: "fields_changed", fields: [["team", "Platform", ""]] }));
    expect(s).toMatchObject({ type: "field", label: "Team", cleared: true });
    expect(isCleared({ old: "", new: "" })).toBe(false);
    expect(isCleared({ old: "", new: "x" })).toBe(false);
  });

  it("names a manager field without 'Email', since it shows names", () => {
    const s = changeSentence(change(ChangeKind.UPDATED, { reasonCode: "fields_changed", fields: [["manager_email", "a@x.example", "b@x.example"]] }));
    expect(s).toMatchObject({ type: "field", label: "Manager" });
  });

  it("lists the fields of a larger update once", () => {
    const s = changeSentence(change(ChangeKind.UPDATED, {
      reasonCode: "fields_changed",
      fields: [["title", "A", "B"], ["department", "C", "D"], ["manager_email", "a@x", "b@x"]],
    }));
    expect(s).toEqual({ type: "text", text: "3 fields change: Title, Department and Manager." });
  });

  it("names a new person's manager after the sentence", () => {
    const c = change(ChangeKind.NEW, { reasonCode: "new_person", fields: [["title", "", "Engineer"], ["manager_email", "", "ida@x.example"]] });
    expect(changeSentence(c)).toEqual({ type: "text", text: "Joins as Engineer", reportsTo: "ida@x.example" });
  });

  it.each([
    [ChangeKind.NEW, "new_person", "new: not in the directory yet", [["title", "", "Engineer"], ["department", "", "R&D"]], "Joins as Engineer in R&D."],
    [ChangeKind.NEW, "new_person", "new: not in the directory yet", [], "Added to the directory."],
    [ChangeKind.NEW, "new_person_inactive", "new: added as a deactivated account", [], "Added as a deactivated account: the status in the file is Inactive."],
    [ChangeKind.DEACTIVATED, "status_inactive", "deactivated: the status in the file is Inactive", [], "The status in the file is Inactive."],
    [ChangeKind.DEACTIVATED, "not_in_file", "deactivated: not in the file and ...", [], "Not in the file, and \u201cDeactivate people missing from the file\u201d is on."],
    [ChangeKind.REACTIVATED, "reactivated", "reactivated: in the file", [["status", "Inactive", "Active"], ["title", "A", "B"]], "Back in the file, and \u201cReactivate people in the file\u201d is on. Title also changes."],
    [ChangeKind.UNCHANGED, "no_changes", "unchanged: the import has the same values", [], "The file has the same values as the directory."],
    [ChangeKind.UNCHANGED, "protected_not_deactivated", "unchanged: not in the file, but the account is protected", [], "Not in the file, but the account is protected."],
    [ChangeKind.UPDATED, "source_id_linked", "updated: linked to the HR system's employee id \"7\"", [], "Linked to the HR system's employee id \"7\"."],
  ] as const)("kind %i (%s) reads without repeating its kind", (kind, reasonCode, reason, fields, want) => {
    const s = changeSentence(change(kind, { reasonCode, reason, fields: fields.map((f) => [...f] as [string, string, string]) }));
    expect(s).toEqual({ type: "text", text: want });
    expect(want.toLowerCase().startsWith(`${ChangeKind[kind].toLowerCase()}:`)).toBe(false);
  });

  it("writes a loop error once, however many fields carry it", () => {
    const loop = "reporting loop: a@x -> b@x -> a@x";
    const c = change(ChangeKind.ERROR, { reasonCode: "row_error", reason: `not imported: ${loop} (and 2 more errors)`, errors: [loop, loop, loop] });
    expect(changeSentence(c)).toEqual({ type: "text", text: "Reporting loop: a@x → b@x → a@x." });
    expect(uniqueProblems(c.errors)).toHaveLength(1);
  });

  it("counts further distinct errors", () => {
    const c = change(ChangeKind.ERROR, { errors: ["Login Email is missing.", "Gender \"Q\" is not M, F or N.", "Login Email is missing."] });
    expect(changeSentence(c)).toEqual({ type: "text", text: "Login Email is missing. And 1 more error, see details." });
  });

  it("drops the kind from a reason it does not know", () => {
    expect(reasonWithoutKind("updated: something new")).toBe("Something new.");
    expect(reasonWithoutKind("not imported: bad row.")).toBe("Bad row.");
    expect(reasonWithoutKind("")).toBe("");
  });

  it("uses one arrow, in the server's messages too", () => {
    expect(ARROW).toBe("→");
    expect(withArrows("loop: a@x -> b@x ->  c@x")).toBe("loop: a@x → b@x → c@x");
    expect(withArrows("a->b")).toBe("a->b");
  });
});

describe("names", () => {
  it("collects the managers named in field changes, lower-cased and once", () => {
    const changes = [
      change(ChangeKind.UPDATED, { fields: [["manager_email", "Joe@acme.example", "ida@acme.example"], ["title", "a", "b"]] }),
      change(ChangeKind.NEW, { fields: [["manager_email", "", "ida@acme.example"], ["secondary_manager_email", "", "bo@acme.example"]] }),
    ];
    expect(personEmailsOf(changes)).toEqual(["joe@acme.example", "ida@acme.example", "bo@acme.example"]);
  });

  it("learns the names of the rows themselves", () => {
    const names = namesFromChanges([change(ChangeKind.NEW, { email: "Ida@Acme.example", name: "Ida Berg" }), change(ChangeKind.ERROR, { email: "", name: "X" })]);
    expect([...names]).toEqual([["ida@acme.example", "Ida Berg"]]);
  });
});

describe("blank cells note", () => {
  it("appears when existing people were matched from a file", () => {
    expect(blankCellsNote(create(ImportSchema, { source: "upload", summary: acme }))).toMatch(/^Blank cells keep the value already in the directory/);
  });

  it("is absent for a first import and for a revert", () => {
    expect(blankCellsNote(create(ImportSchema, { source: "upload", summary: create(SummarySchema, { new: 30n }) }))).toBe("");
    expect(blankCellsNote(create(ImportSchema, { source: "revert", summary: acme }))).toBe("");
  });
});

describe("emails in messages", () => {
  it("are split out so they stay on one line", () => {
    expect(splitEmails("loop a-b@x.example → c@y.example; fix it.")).toEqual([
      { text: "loop " },
      { text: "a-b@x.example", email: true },
      { text: " → " },
      { text: "c@y.example", email: true },
      { text: "; fix it." },
    ]);
    expect(splitEmails("no email here")).toEqual([{ text: "no email here" }]);
    expect(splitEmails("joe@acme.example.")).toEqual([{ text: "joe@acme.example", email: true }, { text: "." }]);
  });
});
