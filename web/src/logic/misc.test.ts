import { Code, ConnectError } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { ImportStatus } from "../gen/staffsync/v1/import_pb";
import { errorMessage } from "./errors";
import { displayValue, fieldLabel } from "./fields";
import { formatDateTime, people, sourceLabel, statusInfo, stepStates } from "./format";
import { displayName, statusNotice } from "./people";
import { parseRoute, routePath } from "./routes";
import { pastedUpload, uploadProblem } from "./upload";
import { importProgress } from "./progress";

describe("routes", () => {
  it.each([
    ["/", { page: "import" }],
    ["/import", { page: "import" }],
    ["/imports/42", { page: "preview", importId: "42" }],
    ["/imports/42/", { page: "preview", importId: "42" }],
    ["/history", { page: "history" }],
    ["/directory", { page: "directory" }],
    ["/integrations", { page: "integrations" }],
    ["/people/9", { page: "person", personId: "9" }],
    ["/cycles", { page: "cycles" }],
    ["/imports/abc", { page: "notFound", path: "/imports/abc" }],
    ["/people/ann@x.com", { page: "notFound", path: "/people/ann@x.com" }],
  ])("parses %s", (path, want) => {
    expect(parseRoute(path)).toEqual(want);
  });

  it("round-trips paths", () => {
    for (const p of ["/import", "/imports/7", "/history", "/directory", "/people/9", "/integrations", "/cycles"]) expect(routePath(parseRoute(p))).toBe(p);
  });
});

describe("uploads", () => {
  it.each([
    ["people.csv", 10, undefined],
    ["People.XLSX", 10, undefined],
    ["old.xls", 10, '"old.xls" is an old Excel file (.xls). Save it as .xlsx or CSV and upload it again.'],
    ["notes.pdf", 10, '"notes.pdf" is not a CSV or XLSX file. Export the spreadsheet as CSV or XLSX and upload that.'],
    ["empty.csv", 0, '"empty.csv" is empty. Upload a file with a header row and one row per person.'],
    ["big.csv", 60 * 1024 * 1024, '"big.csv" is 60 MiB; the limit is 50 MiB. Split the file or remove unused columns.'],
  ])("checks %s", (name, size, want) => {
    expect(uploadProblem(name, size)).toBe(want);
  });

  it("turns pasted text into a CSV upload", () => {
    const u = pastedUpload("First Name,Last Name\nAda,Lovelace");
    expect("content" in u && new TextDecoder().decode(u.content)).toBe("First Name,Last Name\nAda,Lovelace\n");
    expect("fileName" in u && u.fileName).toBe("pasted.csv");
    expect(pastedUpload("  \n")).toEqual({ problem: "Paste the rows including the header row, or pick a file instead." });
  });
});

describe("formatting", () => {
  it("formats dates unambiguously", () => {
    expect(formatDateTime(new Date(2026, 2, 1, 9, 5))).toBe("2026-03-01 09:05");
    expect(formatDateTime(undefined)).toBe("");
  });

  it("counts people", () => {
    expect(people(1)).toBe("1 person");
    expect(people(12345n)).toBe("12,345 people");
  });

  it("marks the steps of an import", () => {
    expect(stepStates(ImportStatus.PREVIEWING)).toEqual(["done", "current", "todo", "todo", "todo"]);
    expect(stepStates(ImportStatus.APPLIED)).toEqual(["done", "done", "done", "done", "done"]);
    expect(stepStates(ImportStatus.FAILED)).toEqual(["todo", "todo", "todo", "todo", "todo"]);
    expect(statusInfo(ImportStatus.APPLIED)).toEqual({ label: "Applied", tone: "good", final: true });
    expect(statusInfo(ImportStatus.AWAITING_APPROVAL).final).toBe(false);
  });

  it("names sources and fields", () => {
    expect(sourceLabel("upload")).toBe("File upload");
    expect(sourceLabel("workday")).toBe("workday");
    expect(fieldLabel("manager_email")).toBe("Manager Email");
    expect(fieldLabel("")).toBe("Whole row");
    expect(displayValue("")).toBe("(empty)");
  });

  it("shows preferred names", () => {
    expect(displayName({ firstName: "Robert", lastName: "Smith", preferredName: "Bob" })).toBe("Bob Smith (Robert)");
    expect(displayName({ firstName: "Ada", lastName: "Lovelace", preferredName: "" })).toBe("Ada Lovelace");
  });
});

describe("errorMessage", () => {
  it.each([
    [new ConnectError("the file is empty; upload a CSV", Code.InvalidArgument), "the file is empty; upload a CSV"],
    [new ConnectError("unknown API token", Code.Unauthenticated), "Your sign-in is no longer valid. Sign in again with an admin token."],
    [new ConnectError("Failed to fetch", Code.Unavailable), "The staffsync server cannot be reached. Check your connection and try again."],
    [new ConnectError("pq: boom", Code.Internal), "Something went wrong on the server. Try again; if it keeps happening, tell your staffsync operator."],
    [new Error("x"), "Something went wrong. Try again."],
  ])("explains %s", (err, want) => {
    expect(errorMessage(err)).toBe(want);
  });
});

describe("importProgress", () => {
  it.each([
    [{ progressPhase: "parsing", rowsProcessed: 12000n, progressTotal: 100000n, rowsTotal: 0n }, { label: "Reading rows: 12,000 of 100,000", percent: 12 }],
    [{ progressPhase: "applying", rowsProcessed: 5n, progressTotal: 4n, rowsTotal: 4n }, { label: "Applying changes: 4 of 4", percent: 100 }],
    [{ progressPhase: "planning", rowsProcessed: 300n, progressTotal: 0n, rowsTotal: 0n }, { label: "Comparing with the directory: 300 so far" }],
    [{ progressPhase: "", rowsProcessed: 0n, progressTotal: 0n, rowsTotal: 0n }, { label: "Reading the file" }],
  ])("describes phase %#", (im, want) => {
    expect(importProgress(im, "Reading the file")).toEqual(want);
  });
});

describe("statusNotice", () => {
  const ada = { firstName: "Ada", lastName: "Lovelace", preferredName: "" };
  it.each([
    [{ ...ada, active: true }, [{ changed: true, warnings: [] }], "Ada Lovelace is deactivated."],
    [{ ...ada, active: false }, [{ changed: true, warnings: [] }], "Ada Lovelace is reactivated."],
    [{ ...ada, active: true }, [{ changed: false, warnings: [] }], "Ada Lovelace was already deactivated."],
    [{ ...ada, active: true }, [{ changed: true, warnings: ["3 people reported to Ada; they now have no manager."] }], "Ada Lovelace is deactivated. 3 people reported to Ada; they now have no manager."],
  ])("reports %#", (p, results, want) => {
    expect(statusNotice(p, results)).toBe(want);
  });
});
