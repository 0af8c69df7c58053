import { describe, expect, it } from "vitest";
import { can, cookieValue, parseRole, tokenState } from "./roles";

describe("roles", () => {
  it.each([
    ["viewer", "viewer", true],
    ["viewer", "admin", false],
    ["admin", "admin", true],
    ["admin", "owner", false],
    ["owner", "admin", true],
    ["", "viewer", false],
  ] as const)("%s may do what needs %s: %s", (role, need, want) => {
    expect(can(role, need)).toBe(want);
  });

  it("parses only known roles", () => {
    expect(parseRole("admin")).toBe("admin");
    expect(parseRole("root")).toBe("");
  });

  it("reads a cookie among others", () => {
    expect(cookieValue("a=1; staffsync_csrf=sst_x%3D; b=2", "staffsync_csrf")).toBe("sst_x=");
    expect(cookieValue("a=1", "staffsync_csrf")).toBe("");
  });

  it("tells revoked and expired tokens apart", () => {
    const now = new Date("2026-06-01T00:00:00Z");
    const past = { seconds: BigInt(Date.parse("2026-05-01T00:00:00Z") / 1000) };
    const future = { seconds: BigInt(Date.parse("2026-07-01T00:00:00Z") / 1000) };
    expect(tokenState({ expiresAt: future }, now)).toBe("active");
    expect(tokenState({ expiresAt: past }, now)).toBe("expired");
    expect(tokenState({ revokedAt: {}, expiresAt: future }, now)).toBe("revoked");
    expect(tokenState({}, now)).toBe("active");
  });
});

describe("role mapping lines", () => {
  it("parses value = role lines and round-trips", async () => {
    const { parseRoleMapping, formatRoleMapping } = await import("./roles");
    const got = parseRoleMapping("hr-admins = admin\n\n  it=owner \nteam=a=b = viewer");
    expect(got).toEqual({ mapping: { "hr-admins": "admin", it: "owner", "team=a=b": "viewer" } });
    expect(formatRoleMapping({ b: "viewer", a: "owner" })).toBe("a = owner\nb = viewer");
  });
  it("names the bad line", async () => {
    const { parseRoleMapping } = await import("./roles");
    expect(parseRoleMapping("hr = root")).toEqual({ error: '"hr = root": write one claim value = owner, admin or viewer per line' });
    expect(parseRoleMapping("admin")).toHaveProperty("error");
  });
});
