import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { describe, expect, it } from "vitest";
import { ChangeKind, ImportSchema, ImportStatus, SummarySchema } from "../gen/staffsync/v1/import_pb";
import { appliedLines, approvalDeadline, approvalLines, canDecide, changesRequest, filterDescription, hasPreview, noFilter, toggleKind, toggleWarnings } from "./preview";

describe("filters", () => {
  it("selects a kind and clears it on a second click", () => {
    const f = toggleKind(noFilter, "error");
    expect(f).toEqual({ kind: "error", warningsOnly: false, search: "" });
    expect(toggleKind(f, "error")).toEqual({ kind: undefined, warningsOnly: false, search: "" });
    expect(toggleKind(f, "new").kind).toBe("new");
  });

  it("switches between a kind and warnings, keeping the search", () => {
    const f = toggleWarnings({ kind: "new", warningsOnly: false, search: "ann" });
    expect(f).toEqual({ kind: undefined, warningsOnly: true, search: "ann" });
    expect(toggleKind(f, "updated")).toEqual({ kind: "updated", warningsOnly: false, search: "ann" });
  });

  it("builds the ListChanges request", () => {
    const req = changesRequest("42", { kind: "deactivated", warningsOnly: false, search: "  Ann " }, "100", 50);
    expect(req.importId).toBe("42");
    expect(req.kinds).toEqual([ChangeKind.DEACTIVATED]);
    expect(req.hasWarnings).toBe(false);
    expect(req.search).toBe("Ann");
    expect(req.pageToken).toBe("100");
    expect(req.pageSize).toBe(50);
    expect(changesRequest("42", { warningsOnly: true, search: "" }, "", 100).kinds).toEqual([]);
    expect(changesRequest("42", { warningsOnly: true, search: "" }, "", 100).hasWarnings).toBe(true);
  });

  it.each([
    [noFilter, "All changes"],
    [{ kind: "new" as const, warningsOnly: false, search: "" }, "Changes: new"],
    [{ warningsOnly: true, search: "bob" }, 'Changes: with warnings, matching "bob"'],
  ])("describes %j", (f, want) => {
    expect(filterDescription(f)).toBe(want);
  });
});

describe("approvalLines", () => {
  it("repeats every count the admin approves", () => {
    const summary = create(SummarySchema, { new: 12n, updated: 3n, reactivated: 1n, deactivated: 2n, error: 4n, unchanged: 1200n });
    expect(approvalLines(summary)).toEqual([
      "This will add 12 people, update 3 people, reactivate 1 person and deactivate 2 people.",
      "4 rows have errors and will be skipped.",
      "1,200 people stay unchanged.",
    ]);
  });

  it("says so when nothing changes", () => {
    expect(approvalLines(create(SummarySchema, { unchanged: 5n, error: 1n }))).toEqual([
      "This import changes nobody.",
      "1 row has errors and will be skipped.",
      "5 people stay unchanged.",
    ]);
    expect(approvalLines(create(SummarySchema, { deactivated: 29n, unchanged: 1n }))).toEqual([
      "This will deactivate 29 people.",
      "1 person stays unchanged.",
    ]);
  });
});

describe("appliedLines", () => {
  it("reports what was done in the past tense", () => {
    expect(appliedLines(create(SummarySchema, { new: 30n, deactivated: 1n, error: 2n, unchanged: 4n }))).toEqual([
      "staffsync added 30 people and deactivated 1 person.",
      "2 rows were skipped because of errors.",
    ]);
    expect(appliedLines(create(SummarySchema, { unchanged: 4n }))).toEqual(["Nobody changed."]);
  });
});

describe("what the page offers", () => {
  it.each([
    [ImportStatus.PARSING, false, false],
    [ImportStatus.PREVIEWING, false, false],
    [ImportStatus.AWAITING_APPROVAL, true, true],
    [ImportStatus.APPLYING, false, true],
    [ImportStatus.APPLIED, false, true],
    [ImportStatus.REJECTED, false, true],
    [ImportStatus.EXPIRED, false, true],
    [ImportStatus.FAILED, false, false],
  ])("status %i: decide %s, preview %s", (status, decide, preview) => {
    const im = create(ImportSchema, { status });
    expect(canDecide(im)).toBe(decide);
    expect(hasPreview(im)).toBe(preview);
  });

  it("shows the preview of a failed apply", () => {
    expect(hasPreview(create(ImportSchema, { status: ImportStatus.FAILED, previewVersion: 3n }))).toBe(true);
    expect(canDecide(undefined)).toBe(false);
  });
});


describe("approvalDeadline", () => {
  const expires = timestampFromDate(new Date(2026, 2, 9, 9, 30));
  it("tells an import awaiting approval when it expires", () => {
    const im = create(ImportSchema, { status: ImportStatus.AWAITING_APPROVAL, approvalExpiresAt: expires });
    expect(approvalDeadline(im)).toBe("Decide by 2026-03-09 09:30: after that the import expires and nothing is changed.");
  });
  it("says nothing once decided, or when the server did not say", () => {
    expect(approvalDeadline(create(ImportSchema, { status: ImportStatus.APPLIED, approvalExpiresAt: expires }))).toBe("");
    expect(approvalDeadline(create(ImportSchema, { status: ImportStatus.AWAITING_APPROVAL }))).toBe("");
  });
});
