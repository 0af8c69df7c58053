import { describe, expect, it } from "vitest";
import { initials } from "./avatar";

describe("initials", () => {
  it.each([
    ["Ann Lee", "AL"],
    ["Zoë", "Z"],
    ["Teo Araújo (Mateus)", "TA"],
    ["  ", "?"],
    ["émilie de la roy", "ÉR"],
  ])("%s -> %s", (name, want) => {
    expect(initials(name)).toBe(want);
  });
});
