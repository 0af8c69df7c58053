import { describe, expect, it } from "vitest";
import { currentToken, firstPage, hasNext, hasPrevious, nextPage, previousPage, rangeLabel, withNext } from "./paging";

describe("pager", () => {
  it("walks forward and back through cursor tokens", () => {
    let p = withNext(firstPage(), "100");
    expect(currentToken(p)).toBe("");
    expect(hasPrevious(p)).toBe(false);
    expect(hasNext(p)).toBe(true);
    p = withNext(nextPage(p), "200");
    expect(currentToken(p)).toBe("100");
    p = withNext(nextPage(p), "");
    expect(currentToken(p)).toBe("200");
    expect(hasNext(p)).toBe(false);
    expect(nextPage(p)).toBe(p);
    p = previousPage(p);
    expect(currentToken(p)).toBe("100");
    expect(hasNext(p)).toBe(true);
    p = previousPage(p);
    expect(currentToken(p)).toBe("");
    expect(previousPage(p)).toBe(p);
  });

  it("forgets later pages when it goes forward from an earlier one", () => {
    let p = nextPage(withNext(firstPage(), "a"));
    p = nextPage(withNext(p, "b"));
    p = previousPage(previousPage(p));
    p = nextPage(withNext(p, "a2"));
    expect(p.tokens).toEqual(["", "a2"]);
  });

  it.each([
    [0, 100, 100, 12345, "1–100 of 12,345"],
    [2, 100, 45, 245, "201–245 of 245"],
    [0, 100, 0, 0, "0 of 0"],
  ])("labels page %i", (index, size, shown, total, want) => {
    const p = { tokens: Array(index + 1).fill("x"), index, next: "" };
    expect(rangeLabel(p, size, shown, total)).toBe(want);
  });
});
