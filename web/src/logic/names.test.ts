import { describe, expect, it } from "vitest";
import { exactMatch, NameBook } from "./names";

describe("name book", () => {
  it("asks the lookups in order, each email once, and remembers misses", async () => {
    const asked: string[] = [];
    const book = new NameBook([
      async (e) => (asked.push(`dir:${e}`), e === "ida@x.example" ? "Ida Berg" : undefined),
      async (e) => (asked.push(`file:${e}`), e === "new@x.example" ? "New Person" : undefined),
    ]);
    book.learn(new Map([["Ann@X.example", "Ann Lee"]]));
    expect(await book.resolve(["ann@x.example", "IDA@x.example", "new@x.example", "gone@x.example"])).toBe(true);
    expect(book.name("ida@x.example")).toBe("Ida Berg");
    expect(book.name("NEW@x.example")).toBe("New Person");
    expect(book.name("gone@x.example")).toBeUndefined();
    expect(asked).toEqual(["dir:ida@x.example", "dir:new@x.example", "file:new@x.example", "dir:gone@x.example", "file:gone@x.example"]);
    expect(await book.resolve(["gone@x.example", "ida@x.example"])).toBe(false);
    expect(asked).toHaveLength(5);
  });

  it("treats a failing lookup as a miss and stops at its bound", async () => {
    let calls = 0;
    const book = new NameBook([async () => { calls++; throw new Error("down"); }], 2);
    expect(await book.resolve(["a@x", "b@x", "c@x"])).toBe(false);
    expect(calls).toBe(2);
  });

  it("finds only the exact email in a search answer", () => {
    const items = [{ email: "joe.smith@x.example" }, { email: "joe@x.example" }];
    expect(exactMatch(items, "JOE@x.example")).toBe(items[1]);
    expect(exactMatch(items, "jo@x.example")).toBeUndefined();
  });
});
