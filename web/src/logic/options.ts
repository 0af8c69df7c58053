// The import options of import-rules.md section 5, with the defaults of directory.DefaultOptions.
import { create } from "@bufbuild/protobuf";
import { ImportOptionsSchema, type ImportOptions } from "../gen/staffsync/v1/import_pb";

export type SwitchKey =
  | "sendPasswordEmails"
  | "updateExistingCoreFields"
  | "updateManagersOfExisting"
  | "setManagersOfNew"
  | "deactivateMissing"
  | "reactivateMatching";

export interface SwitchOption {
  key: SwitchKey;
  label: string;
  explanation: string;
  defaultValue: boolean;
}

export const switchOptions: readonly SwitchOption[] = [
  { key: "updateExistingCoreFields", label: "Update existing people", explanation: "People already in the directory get their fields updated from the file, except managers.", defaultValue: true },
  { key: "updateManagersOfExisting", label: "Update managers of existing people", explanation: "People already in the directory get manager and secondary manager from the file.", defaultValue: true },
  { key: "setManagersOfNew", label: "Set managers of new people", explanation: "New people get the managers named in the file.", defaultValue: true },
  { key: "reactivateMatching", label: "Reactivate people in the file", explanation: "Deactivated people who appear in the file as active (or blank status) are reactivated.", defaultValue: true },
  { key: "deactivateMissing", label: "Deactivate people missing from the file", explanation: "Active people who are not in the file are deactivated. Use only with a complete file.", defaultValue: false },
  { key: "sendPasswordEmails", label: "Send password emails to new people", explanation: "New people get a \"set your password\" email (to the alternative email if set).", defaultValue: false },
];

export type Delimiter = "auto" | "comma" | "semicolon" | "tab";

export const delimiterOptions: readonly { value: Delimiter; label: string }[] = [
  { value: "auto", label: "Detect automatically" },
  { value: "comma", label: "Comma ( , )" },
  { value: "semicolon", label: "Semicolon ( ; ) — European Excel" },
  { value: "tab", label: "Tab" },
];

export interface OptionValues {
  switches: Record<SwitchKey, boolean>;
  delimiter: Delimiter;
  /** XLSX worksheet; empty reads the first sheet. */
  sheet: string;
  /** Safety guard limits as typed; empty takes the server's default. */
  maxDeactivations: string;
  maxManagerChanges: string;
  /**
   * Option activate_on_hire_date as chosen; undefined leaves it to the server's default for
   * the import's kind (on for HR integrations, off for files), so a form that sends every
   * switch does not turn the HR default off (issue 17).
   */
  activateOnHireDate?: boolean;
}

export function defaultOptionValues(): OptionValues {
  const switches = {} as Record<SwitchKey, boolean>;
  for (const o of switchOptions) switches[o.key] = o.defaultValue;
  return { switches, delimiter: "auto", sheet: "", maxDeactivations: "", maxManagerChanges: "" };
}

export const activateOnHireDateOption = {
  label: "Hold future hires until their start date",
  explanation:
    "Hold people whose hire date is in the future as pending until that date; they get no password email and join no cycle until they start.",
} as const;

/** The integration kinds that read an HR system (store.IsHRIS); the server holds their future hires by default. */
export const hrIntegrationKinds: readonly string[] = ["bamboohr", "personio"];

/** The server's activate_on_hire_date when unset: on for HR integrations, off for files and uploads. */
export function activateOnHireDateDefault(integrationKind?: string): boolean {
  return integrationKind !== undefined && hrIntegrationKinds.includes(integrationKind);
}

/** Whether the form shows activate_on_hire_date on, given the default where it is used. */
export function holdsFutureHires(values: OptionValues, kindDefault: boolean): boolean {
  return values.activateOnHireDate ?? kindDefault;
}

/**
 * The values after the admin sets activate_on_hire_date. Choosing what the kind's default
 * already is leaves it unset, so the request does not pin it.
 */
export function withActivateOnHireDate(values: OptionValues, on: boolean, kindDefault: boolean): OptionValues {
  return { ...values, activateOnHireDate: on === kindDefault ? undefined : on };
}

/** Checks a guard limit as typed: empty, or a whole number (negative turns the limit off). */
export function guardLimitError(raw: string): string | undefined {
  const s = raw.trim();
  if (s === "" || /^-?\d{1,9}$/.test(s)) return undefined;
  return "Enter a whole number, e.g. 10, or leave it empty for the default.";
}

/**
 * The request options; every switch is sent explicitly so the server applies what the admin
 * saw, except activate_on_hire_date, which is sent only when chosen (its default depends on
 * the kind, which the server knows).
 */
export function optionsToProto(values: OptionValues): ImportOptions {
  const limit = (raw: string) => (raw.trim() === "" ? 0 : Number.parseInt(raw.trim(), 10));
  return create(ImportOptionsSchema, {
    ...values.switches,
    delimiter: values.delimiter,
    sheet: values.sheet.trim(),
    maxDeactivations: limit(values.maxDeactivations),
    maxManagerChanges: limit(values.maxManagerChanges),
    activateOnHireDate: values.activateOnHireDate,
  });
}

/** The form values of stored options (an integration's); what the server left unset is the default. */
export function optionValuesOf(options: ImportOptions | undefined): OptionValues {
  const values = defaultOptionValues();
  if (!options) return values;
  for (const o of switchOptions) {
    const v = options[o.key];
    if (v !== undefined) values.switches[o.key] = v;
  }
  if (delimiterOptions.some((d) => d.value === options.delimiter)) values.delimiter = options.delimiter as Delimiter;
  values.sheet = options.sheet;
  values.maxDeactivations = options.maxDeactivations ? String(options.maxDeactivations) : "";
  values.maxManagerChanges = options.maxManagerChanges ? String(options.maxManagerChanges) : "";
  values.activateOnHireDate = options.activateOnHireDate;
  return values;
}

/** The switches that differ from the defaults, for the history and the confirmation. */
export function changedFromDefaults(options: ImportOptions | undefined): string[] {
  if (!options) return [];
  const out: string[] = [];
  for (const o of switchOptions) {
    const v = options[o.key];
    if (v !== undefined && v !== o.defaultValue) out.push(`${o.label}: ${v ? "on" : "off"}`);
  }
  return out;
}
