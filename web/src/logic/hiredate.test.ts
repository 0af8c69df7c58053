// activate_on_hire_date in the console (issue 17): each form shows the server's default for
// its context and sends the option only when the admin's choice changes what the server does.
import { create } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { ImportOptionsSchema } from "../gen/staffsync/v1/import_pb";
import { IntegrationSchema } from "../gen/staffsync/v1/integration_pb";
import { defaultsToSave, optionLines, uploadOptionsOver } from "./defaults";
import { createRequest, editForm, emptyIntegrationForm, updateRequest } from "./integrations";
import {
  activateOnHireDateDefault,
  defaultOptionValues,
  holdsFutureHires,
  optionValuesOf,
  optionsToProto,
  withActivateOnHireDate,
  type OptionValues,
} from "./options";

const files = activateOnHireDateDefault();
const choose = (v: OptionValues, on: boolean, kindDefault: boolean) => withActivateOnHireDate(v, on, kindDefault);

describe("activate_on_hire_date default per context", () => {
  it.each([
    ["bamboohr", true],
    ["personio", true],
    ["https", false],
    ["sftp", false],
    ["sftp-drop", false],
  ])("integration kind %s defaults to %s", (kind, want) => {
    expect(activateOnHireDateDefault(kind)).toBe(want);
  });

  it("uploads and the import defaults are files: off", () => {
    expect(files).toBe(false);
    expect(holdsFutureHires(defaultOptionValues(), files)).toBe(false);
  });

  it("choosing the default leaves it unset; choosing otherwise sets it", () => {
    expect(choose(defaultOptionValues(), true, true).activateOnHireDate).toBeUndefined();
    expect(choose(defaultOptionValues(), false, true).activateOnHireDate).toBe(false);
    expect(choose(defaultOptionValues(), true, false).activateOnHireDate).toBe(true);
    expect(choose(defaultOptionValues(), false, false).activateOnHireDate).toBeUndefined();
  });

  it("the form keeps a stored choice, and shows it over the default", () => {
    const v = optionValuesOf(create(ImportOptionsSchema, { activateOnHireDate: false }));
    expect(v.activateOnHireDate).toBe(false);
    expect(holdsFutureHires(v, true)).toBe(false);
    expect(optionValuesOf(create(ImportOptionsSchema, {})).activateOnHireDate).toBeUndefined();
  });

  it("optionsToProto sends every switch but not an unchosen activate_on_hire_date", () => {
    const p = optionsToProto(defaultOptionValues());
    expect(p.deactivateMissing).toBe(false);
    expect(p.activateOnHireDate).toBeUndefined();
  });
});

describe("uploads send activate_on_hire_date only when changed from the configuration", () => {
  const cases: { name: string; saved?: boolean; on: boolean; want: boolean | undefined }[] = [
    { name: "nothing saved, left off", on: false, want: undefined },
    { name: "nothing saved, turned on", on: true, want: true },
    { name: "saved on, left on", saved: true, on: true, want: undefined },
    { name: "saved on, turned off", saved: true, on: false, want: false },
    { name: "saved off, left off", saved: false, on: false, want: undefined },
    { name: "saved off, turned on", saved: false, on: true, want: true },
  ];
  it.each(cases)("$name", ({ saved, on, want }) => {
    const company = optionValuesOf(create(ImportOptionsSchema, saved === undefined ? {} : { activateOnHireDate: saved }));
    const upload = holdsFutureHires(company, files) === on ? company : choose(company, on, files);
    expect(holdsFutureHires(upload, files)).toBe(on);
    expect(uploadOptionsOver(company, upload).activateOnHireDate).toBe(want);
  });
});

describe("import defaults save activate_on_hire_date as chosen", () => {
  it("unset stays unset when saving other changes", () => {
    const stored = create(ImportOptionsSchema, {});
    const v = optionValuesOf(stored);
    v.switches.sendPasswordEmails = true;
    expect(defaultsToSave(stored, v).activateOnHireDate).toBeUndefined();
  });
  it("turning it on saves on; turning a saved on off clears it (off for files)", () => {
    const on = defaultsToSave(create(ImportOptionsSchema, {}), choose(optionValuesOf(undefined), true, files));
    expect(on.activateOnHireDate).toBe(true);
    const off = defaultsToSave(on, choose(optionValuesOf(on), false, files));
    expect(off.activateOnHireDate).toBeUndefined();
    expect(holdsFutureHires(optionValuesOf(off), files)).toBe(false);
  });
  it("a saved explicit off is kept", () => {
    const stored = create(ImportOptionsSchema, { activateOnHireDate: false });
    expect(defaultsToSave(stored, optionValuesOf(stored)).activateOnHireDate).toBe(false);
  });
  it("the preview lists it only when the import's options say", () => {
    expect(optionLines(create(ImportOptionsSchema, {})).some((l) => l.startsWith("Hold future hires"))).toBe(false);
    expect(optionLines(create(ImportOptionsSchema, { activateOnHireDate: true }))).toContain("Hold future hires until their start date: on");
  });
});

describe("integrations keep the HR default unless the admin changes it", () => {
  const filled = (kind: string) => ({ ...emptyIntegrationForm(kind), name: "HR" });

  it.each(["bamboohr", "personio", "https", "sftp"])("a new %s integration left alone sends it unset", (kind) => {
    const f = filled(kind);
    expect(holdsFutureHires(f.options, activateOnHireDateDefault(kind))).toBe(activateOnHireDateDefault(kind));
    expect(createRequest(f).options?.activateOnHireDate).toBeUndefined();
  });

  it("a new BambooHR integration turned off sends off; a file drop turned on sends on", () => {
    const hr = filled("bamboohr");
    hr.options = choose(hr.options, false, true);
    expect(createRequest(hr).options?.activateOnHireDate).toBe(false);
    const drop = filled("https");
    drop.options = choose(drop.options, true, false);
    expect(createRequest(drop).options?.activateOnHireDate).toBe(true);
  });

  it("a choice that matches the kind chosen afterwards is not pinned", () => {
    const f = filled("https");
    f.options = choose(f.options, true, false);
    f.kind = "personio";
    expect(createRequest(f).options?.activateOnHireDate).toBeUndefined();
  });

  const stored = (opts: object) =>
    create(IntegrationSchema, { id: "7", kind: "bamboohr", name: "HR", options: create(ImportOptionsSchema, opts) });

  it("editing another option keeps an unset value unset (still on for HR)", () => {
    const i = stored({});
    const f = editForm(i);
    expect(holdsFutureHires(f.options, true)).toBe(true);
    f.options.switches.deactivateMissing = true;
    const req = updateRequest(i, f);
    expect(req?.options?.deactivateMissing).toBe(true);
    expect(req?.options?.activateOnHireDate).toBeUndefined();
  });

  it("turning it off on an HR integration sends off; back on sends unset", () => {
    const i = stored({});
    const f = editForm(i);
    f.options = choose(f.options, false, true);
    expect(updateRequest(i, f)?.options?.activateOnHireDate).toBe(false);
    const j = stored({ activateOnHireDate: false });
    const g = editForm(j);
    expect(holdsFutureHires(g.options, true)).toBe(false);
    g.options = choose(g.options, true, true);
    const req = updateRequest(j, g);
    expect(req?.options).toBeDefined();
    expect(req?.options?.activateOnHireDate).toBeUndefined();
  });

  it("nothing changed sends nothing", () => {
    const i = stored({ activateOnHireDate: false });
    expect(updateRequest(i, editForm(i))).toBeUndefined();
  });
});
