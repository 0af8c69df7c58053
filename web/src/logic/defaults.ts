// The company's import configuration (the defaults every upload starts from) and how the
// options of an import are shown on its preview.
import { create } from "@bufbuild/protobuf";
import { ImportOptionsSchema, type ImportOptions } from "../gen/staffsync/v1/import_pb";
import { activateOnHireDateDefault, activateOnHireDateOption, delimiterOptions, holdsFutureHires, optionsToProto, switchOptions, type OptionValues } from "./options";

/**
 * The options an upload sends: only those the admin changed from the company's configuration
 * for this upload. Nothing changed sends nothing, so the server uses the configuration and
 * the preview says so.
 */
export function uploadOptionsOver(defaults: OptionValues, values: OptionValues): ImportOptions {
  const out = create(ImportOptionsSchema, {});
  for (const o of switchOptions) {
    if (values.switches[o.key] !== defaults.switches[o.key]) out[o.key] = values.switches[o.key];
  }
  const full = optionsToProto(values);
  if (values.delimiter !== defaults.delimiter) out.delimiter = full.delimiter;
  if (values.sheet.trim() !== "") out.sheet = full.sheet;
  if (values.maxDeactivations.trim() !== defaults.maxDeactivations.trim()) out.maxDeactivations = full.maxDeactivations;
  if (values.maxManagerChanges.trim() !== defaults.maxManagerChanges.trim()) out.maxManagerChanges = full.maxManagerChanges;
  // Uploads are files: unset means off, over which the configuration may have said on.
  const fileDefault = activateOnHireDateDefault();
  const hold = holdsFutureHires(values, fileDefault);
  if (hold !== holdsFutureHires(defaults, fileDefault)) out.activateOnHireDate = hold;
  return out;
}

/**
 * The configuration to save: the form's options over the stored ones, so options the console
 * does not show (set with the CLI, e.g. the approval timeout) are kept. A worksheet belongs to
 * one file and is never saved.
 */
export function defaultsToSave(stored: ImportOptions | undefined, values: OptionValues): ImportOptions {
  const form = optionsToProto(values);
  const out = create(ImportOptionsSchema, stored ?? {});
  for (const o of switchOptions) out[o.key] = form[o.key];
  out.delimiter = form.delimiter;
  out.sheet = "";
  out.maxDeactivations = form.maxDeactivations;
  out.maxManagerChanges = form.maxManagerChanges;
  // Saved only when chosen: the form starts from what is stored, unset stays unset.
  out.activateOnHireDate = form.activateOnHireDate;
  return out;
}

const sourceLabels: Record<string, string> = {
  request: "chosen for this upload, over the company's configuration",
  company_defaults: "the company's import configuration",
  built_in: "the built-in defaults (no configuration saved yet)",
};

/** Where an import's options came from, in words; empty when the server did not say. */
export function optionsSourceLabel(source: string): string {
  return sourceLabels[source] ?? "";
}

/** Every option of an import, "Label: on/off", for the preview. */
export function optionLines(options: ImportOptions | undefined): string[] {
  const lines = switchOptions.map((o) => {
    const v = options?.[o.key] ?? o.defaultValue;
    return `${o.label}: ${v ? "on" : "off"}`;
  });
  const delimiter = delimiterOptions.find((d) => d.value === (options?.delimiter || "auto"));
  if (delimiter) lines.push(`CSV delimiter: ${delimiter.label}`);
  if (options?.sheet) lines.push(`Worksheet: ${options.sheet}`);
  if (options?.activateOnHireDate !== undefined) lines.push(`${activateOnHireDateOption.label}: ${options.activateOnHireDate ? "on" : "off"}`);
  return lines;
}
