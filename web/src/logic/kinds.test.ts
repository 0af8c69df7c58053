import { create } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { ChangeKind, SummarySchema } from "../gen/staffsync/v1/import_pb";
import { kindInfo, summarySegments, totalChanges } from "./kinds";

describe("summarySegments", () => {
  it("sizes segments by share and leaves out kinds without changes", () => {
    const summary = create(SummarySchema, { new: 50n, updated: 30n, error: 20n, warning: 7n });
    expect(summarySegments(summary)).toEqual([
      { key: "new", label: "New", tone: "new", count: 50, percent: 50 },
      { key: "updated", label: "Updated", tone: "updated", count: 30, percent: 30 },
      { key: "error", label: "Error", tone: "error", count: 20, percent: 20 },
    ]);
  });

  it("keeps a single row visible next to 100,000 changes", () => {
    const summary = create(SummarySchema, { unchanged: 100_000n, deactivated: 1n });
    const segments = summarySegments(summary);
    expect(segments.map((s) => [s.key, s.count])).toEqual([["deactivated", 1], ["unchanged", 100_000]]);
    expect(segments[0].percent).toBeGreaterThanOrEqual(12);
    expect(segments[0].percent + segments[1].percent).toBeCloseTo(100, 1);
  });

  it("is empty without changes", () => {
    expect(summarySegments(undefined)).toEqual([]);
    expect(summarySegments(create(SummarySchema, { warning: 3n }))).toEqual([]);
  });

  it("orders reactivated and deactivated as distinct kinds", () => {
    const summary = create(SummarySchema, { deactivated: 2n, reactivated: 3n });
    expect(summarySegments(summary).map((s) => s.tone)).toEqual(["reactivated", "deactivated"]);
  });
});

describe("kindInfo and totalChanges", () => {
  it.each([
    [ChangeKind.NEW, "New"],
    [ChangeKind.UPDATED, "Updated"],
    [ChangeKind.DEACTIVATED, "Deactivated"],
    [ChangeKind.REACTIVATED, "Reactivated"],
    [ChangeKind.ERROR, "Error"],
    [ChangeKind.UNCHANGED, "Unchanged"],
    [ChangeKind.UNSPECIFIED, "Unchanged"],
  ])("labels kind %i as %s", (kind, label) => {
    expect(kindInfo(kind).label).toBe(label);
  });

  it("adds every kind but not warnings", () => {
    const summary = create(SummarySchema, { new: 1n, updated: 2n, unchanged: 3n, deactivated: 4n, reactivated: 5n, error: 6n, warning: 100n });
    expect(totalChanges(summary)).toBe(21);
  });
});
