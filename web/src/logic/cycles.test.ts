import { describe, expect, it } from "vitest";
import { CycleKind } from "../gen/staffsync/v1/cycle_pb";
import { createCycleRequest, cycleFormProblems, cycleKindLabel, emptyCycleForm, hasReviewers, parseEmails } from "./cycles";

describe("cycles", () => {
  it("asks for a name", () => {
    expect(cycleFormProblems(emptyCycleForm())).toEqual(['Give the cycle a name, e.g. "FY26 objectives".']);
    expect(cycleFormProblems({ ...emptyCycleForm(), name: " FY26 " })).toEqual([]);
  });

  it("opens only objectives cycles to everyone", () => {
    const objectives = createCycleRequest({ name: " FY26 objectives ", kind: CycleKind.CYCLE_KIND_OBJECTIVES, openToEveryone: true });
    expect([objectives.name, objectives.kind, objectives.openToEveryone]).toEqual(["FY26 objectives", CycleKind.CYCLE_KIND_OBJECTIVES, true]);
    expect(createCycleRequest({ name: "Annual", kind: CycleKind.CYCLE_KIND_REVIEW, openToEveryone: true }).openToEveryone).toBe(false);
  });

  it("names kinds and knows which have reviewers", () => {
    expect(cycleKindLabel(CycleKind.CYCLE_KIND_360)).toBe("360 feedback");
    expect(hasReviewers({ kind: CycleKind.CYCLE_KIND_REVIEW })).toBe(true);
    expect(hasReviewers({ kind: CycleKind.CYCLE_KIND_OBJECTIVES })).toBe(false);
  });

  it("reads pasted emails, each once", () => {
    expect(parseEmails(" ana@acme.example,bo@acme.example\nAna@acme.example; cy@acme.example  \n\n")).toEqual([
      "ana@acme.example", "bo@acme.example", "cy@acme.example",
    ]);
    expect(parseEmails("  ")).toEqual([]);
  });
});
