import { describe, expect, it } from "vitest";
import { choices, distinctValues } from "./facets";

describe("pick-list values", () => {
  it("lists each value once, sorted, without blanks, in the commonest spelling", () => {
    const people = [
      { department: "Sales", location: "berlin" },
      { department: "Engineering", location: "Berlin" },
      { department: " ", location: "Berlin" },
      { department: "sales", location: "Lisbon" },
      { department: "Sales", location: "Zürich" },
      { department: "Ärzte", location: "" },
    ];
    expect(distinctValues(people, "department")).toEqual(["Ärzte", "Engineering", "Sales"]);
    expect(distinctValues(people, "location")).toEqual(["Berlin", "Lisbon", "Zürich"]);
    expect(distinctValues([], "location")).toEqual([]);
  });

  it("keeps a chosen value that is not (or no longer) present", () => {
    expect(choices(["Berlin", "Lisbon"], "")).toEqual(["Berlin", "Lisbon"]);
    expect(choices(["Berlin", "Lisbon"], "berlin")).toEqual(["Berlin", "Lisbon"]);
    expect(choices(["Berlin", "Lisbon"], "Kyiv")).toEqual(["Berlin", "Kyiv", "Lisbon"]);
  });
});
