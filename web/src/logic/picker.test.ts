import { create } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { PersonSchema } from "../gen/staffsync/v1/directory_pb";
import { moveHighlight, pickerOptions, searchable } from "./picker";

describe("person picker", () => {
  const joe = create(PersonSchema, { id: "1", firstName: "Joe", lastName: "Smith", email: "joe.smith@acme.example", title: "CFO", department: "Finance", active: true });
  const joe2 = create(PersonSchema, { id: "2", firstName: "Joe", lastName: "Smith", email: "joe@acme.example", active: false });

  it("labels people by name with what tells them apart, and leaves out the excluded", () => {
    expect(pickerOptions([joe, joe2])).toEqual([
      { id: "1", email: "joe.smith@acme.example", name: "Joe Smith", detail: "CFO · Finance" },
      { id: "2", email: "joe@acme.example", name: "Joe Smith", detail: "deactivated" },
    ]);
    expect(pickerOptions([joe, joe2], ["2"]).map((o) => o.id)).toEqual(["1"]);
    expect(pickerOptions([joe, joe2], ["JOE.SMITH@acme.example"]).map((o) => o.id)).toEqual(["2"]);
  });

  it("searches from two characters", () => {
    expect(searchable(" j ")).toBe(false);
    expect(searchable("jo")).toBe(true);
  });

  it("moves the highlight around the list", () => {
    expect(moveHighlight(-1, 3, "ArrowDown")).toBe(0);
    expect(moveHighlight(2, 3, "ArrowDown")).toBe(0);
    expect(moveHighlight(0, 3, "ArrowUp")).toBe(2);
    expect(moveHighlight(-1, 3, "ArrowUp")).toBe(2);
    expect(moveHighlight(0, 0, "ArrowDown")).toBe(-1);
  });
});
