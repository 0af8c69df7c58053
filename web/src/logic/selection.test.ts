import { create } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { PersonSchema, StatusChangeSchema } from "../gen/staffsync/v1/directory_pb";
import { bulkNotice, bulkPlan, bulkQuestion, clickRow, headerState, nameList, noSelection, toggleAll } from "./selection";

const page = ["1", "2", "3", "4", "5"];
const ids = (s: { selected: ReadonlySet<string> }) => [...s.selected].sort();

describe("row selection", () => {
  it("selects one row per click and remembers it as the anchor", () => {
    const s = clickRow(noSelection, page, "2", true, false);
    expect(ids(s)).toEqual(["2"]);
    expect(s.anchor).toBe("2");
    const t = clickRow(s, page, "4", true, false);
    expect(ids(t)).toEqual(["2", "4"]);
    expect(ids(clickRow(t, page, "2", false, false))).toEqual(["4"]);
  });

  it("selects the range from the anchor with shift, downwards and upwards", () => {
    const down = clickRow(clickRow(noSelection, page, "2", true, false), page, "4", true, true);
    expect(ids(down)).toEqual(["2", "3", "4"]);
    expect(down.anchor).toBe("2");
    const up = clickRow(clickRow(noSelection, page, "5", true, false), page, "3", true, true);
    expect(ids(up)).toEqual(["3", "4", "5"]);
  });

  it("clears a range with shift when the clicked row is unticked", () => {
    const all = toggleAll(noSelection, page);
    const anchored = clickRow(all, page, "1", false, false);
    expect(ids(clickRow(anchored, page, "3", false, true))).toEqual(["4", "5"]);
  });

  it("falls back to a single row when the anchor is not on the page", () => {
    const s = clickRow({ selected: new Set(["9"]), anchor: "9" }, page, "3", true, true);
    expect(ids(s)).toEqual(["3", "9"]);
    expect(s.anchor).toBe("3");
  });

  it("keeps rows of other pages selected", () => {
    const s = clickRow({ selected: new Set(["99"]) }, page, "1", true, false);
    expect(ids(toggleAll(s, page))).toEqual(["1", "2", "3", "4", "5", "99"]);
  });

  it("reports and toggles the page's header checkbox", () => {
    expect(headerState(noSelection, page)).toBe("none");
    const some = clickRow(noSelection, page, "1", true, false);
    expect(headerState(some, page)).toBe("some");
    const all = toggleAll(some, page);
    expect(headerState(all, page)).toBe("all");
    expect(headerState(toggleAll(all, page), page)).toBe("none");
    expect(headerState(noSelection, [])).toBe("none");
  });
});

describe("bulk actions", () => {
  const ann = create(PersonSchema, { id: "1", firstName: "Ann", lastName: "Lee", email: "ann@x", active: true });
  const bo = create(PersonSchema, { id: "2", firstName: "Bo", lastName: "Berg", email: "bo@x", active: false });
  const cy = create(PersonSchema, { id: "3", firstName: "Cy", lastName: "Ng", email: "cy@x", active: true });

  it.each([
    ["deactivate", ["1", "3"], ["2"]],
    ["reactivate", ["2"], ["1", "3"]],
    ["welcome", ["1", "3"], ["2"]],
  ] as const)("%s applies to the right people", (action, targets, skipped) => {
    const plan = bulkPlan([ann, bo, cy], action);
    expect(plan.targets.map((p) => p.id)).toEqual(targets);
    expect(plan.skipped.map((p) => p.id)).toEqual(skipped);
  });

  it("asks and lists names", () => {
    expect(bulkQuestion("deactivate", 2)).toBe("Deactivate 2 people?");
    expect(bulkQuestion("reactivate", 1)).toBe("Reactivate 1 person?");
    expect(bulkQuestion("welcome", 3)).toBe("Send welcome mails to 3 people?");
    expect(nameList([ann, cy])).toBe("Ann Lee and Cy Ng");
    expect(nameList([ann, bo, cy], 2)).toBe("Ann Lee, Bo Berg and 1 more");
  });

  it("says what happened, with the people already in that state and warnings", () => {
    const r = (changed: boolean, warnings: string[] = []) => create(StatusChangeSchema, { changed, warnings });
    expect(bulkNotice("deactivate", [r(true), r(true)])).toBe("2 people deactivated.");
    expect(bulkNotice("deactivate", [r(true), r(false, ["Ann manages 2 active people."])])).toBe("1 person deactivated. 1 person was already deactivated. Ann manages 2 active people.");
    expect(bulkNotice("reactivate", [r(false), r(false)])).toBe("0 people reactivated. 2 people were already active.");
  });
});
