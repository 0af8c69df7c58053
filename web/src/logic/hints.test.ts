import { create } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { ImportHintSchema, NamedPersonSchema } from "../gen/staffsync/v1/import_pb";
import { hintTitle, mergeLink, namedPersonLabel, rowsText } from "./hints";

describe("preview hints", () => {
  it("names the rows concerned, briefly", () => {
    expect(rowsText(create(ImportHintSchema, { rows: [4], rowCount: 1n }))).toBe("Row 4");
    expect(rowsText(create(ImportHintSchema, { rows: [4, 7, 9], rowCount: 3n }))).toBe("Rows 4, 7 and 9");
    expect(rowsText(create(ImportHintSchema, { rows: [4, 7, 9], rowCount: 15n }))).toBe("Rows 4, 7, 9 and 12 more");
    expect(rowsText(create(ImportHintSchema, { rows: [] }))).toBe("");
  });

  it("links a duplicate pair in the directory to the merge", () => {
    const a = create(NamedPersonSchema, { id: "3", email: "john.smith@x", name: "John Smith" });
    const b = create(NamedPersonSchema, { id: "9", email: "jsmith@x", name: "John Smith", row: 12 });
    const fileOnly = create(NamedPersonSchema, { email: "john@x", name: "John Smith", row: 5 });
    expect(mergeLink(create(ImportHintSchema, { code: "possible_duplicate", people: [a, b] }))).toBe("/people/3?merge=9");
    expect(mergeLink(create(ImportHintSchema, { code: "possible_duplicate", people: [a, fileOnly] }))).toBe("");
    expect(mergeLink(create(ImportHintSchema, { code: "unknown_manager", people: [a, b] }))).toBe("");
    expect(namedPersonLabel(b)).toBe("John Smith (jsmith@x), in the directory and row 12");
    expect(namedPersonLabel(fileOnly)).toBe("John Smith (john@x), row 5");
  });

  it("titles each kind", () => {
    expect(hintTitle("unknown_manager")).toBe("Manager not found");
    expect(hintTitle("uncommon_domain")).toBe("Uncommon email domain");
    expect(hintTitle("possible_duplicate")).toBe("Possible duplicate");
    expect(hintTitle("x")).toBe("Hint");
  });
});
