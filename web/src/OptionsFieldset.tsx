// The import options of import-rules.md section 5, each with its one-line explanation. Used by
// the upload page and the integration form.
import type { ComponentChildren } from "preact";
import {
  activateOnHireDateOption,
  delimiterOptions,
  holdsFutureHires,
  switchOptions,
  withActivateOnHireDate,
  type Delimiter,
  type OptionValues,
  type SwitchKey,
} from "./logic/options";

/**
 * hireDateDefault is the server's activate_on_hire_date where these options are used (on for
 * HR integrations, off for files); the box shows it until the admin chooses.
 */
export function OptionsFieldset({ values, onChange, showSheet, idPrefix, hireDateDefault, legend = "Options", children }: {
  values: OptionValues;
  hireDateDefault: boolean;
  onChange: (v: OptionValues) => void;
  showSheet: boolean;
  idPrefix: string;
  legend?: string;
  children?: ComponentChildren;
}) {
  const setSwitch = (key: SwitchKey, value: boolean) => onChange({ ...values, switches: { ...values.switches, [key]: value } });
  return (
    <fieldset class="card options">
      <legend>{legend}</legend>
      {children}
      {switchOptions.map((o) => (
        <div class="option" key={o.key}>
          <input
            type="checkbox"
            id={`${idPrefix}-${o.key}`}
            checked={values.switches[o.key]}
            aria-describedby={`${idPrefix}-${o.key}-help`}
            onChange={(e) => setSwitch(o.key, (e.target as HTMLInputElement).checked)}
          />
          <div>
            <label for={`${idPrefix}-${o.key}`}>{o.label}</label>
            <p id={`${idPrefix}-${o.key}-help`} class="help">{o.explanation}</p>
          </div>
        </div>
      ))}
      <div class="option">
        <input
          type="checkbox"
          id={`${idPrefix}-activateOnHireDate`}
          checked={holdsFutureHires(values, hireDateDefault)}
          aria-describedby={`${idPrefix}-activateOnHireDate-help`}
          onChange={(e) => onChange(withActivateOnHireDate(values, (e.target as HTMLInputElement).checked, hireDateDefault))}
        />
        <div>
          <label for={`${idPrefix}-activateOnHireDate`}>{activateOnHireDateOption.label}</label>
          <p id={`${idPrefix}-activateOnHireDate-help`} class="help">{activateOnHireDateOption.explanation}</p>
        </div>
      </div>
      <div class="option-row">
        <div class="field">
          <label for={`${idPrefix}-delimiter`}>CSV delimiter</label>
          <select
            id={`${idPrefix}-delimiter`}
            value={values.delimiter}
            aria-describedby={`${idPrefix}-delimiter-help`}
            onChange={(e) => onChange({ ...values, delimiter: (e.target as HTMLSelectElement).value as Delimiter })}
          >
            {delimiterOptions.map((d) => (
              <option key={d.value} value={d.value}>{d.label}</option>
            ))}
          </select>
          <p id={`${idPrefix}-delimiter-help`} class="help">Separator between columns; European Excel saves with semicolons.</p>
        </div>
        {showSheet && (
          <div class="field">
            <label for={`${idPrefix}-sheet`}>Worksheet</label>
            <input
              id={`${idPrefix}-sheet`}
              value={values.sheet}
              aria-describedby={`${idPrefix}-sheet-help`}
              onInput={(e) => onChange({ ...values, sheet: (e.target as HTMLInputElement).value })}
            />
            <p id={`${idPrefix}-sheet-help`} class="help">Name of the sheet to read; empty reads the first sheet.</p>
          </div>
        )}
      </div>
      <details class="advanced">
        <summary>Safety guard</summary>
        <p class="help">
          Imports that would deactivate or re-manage more people than these limits stop with a warning before approval.
          Leave empty for the default; a negative number turns the limit off.
        </p>
        <div class="option-row">
          <div class="field">
            <label for={`${idPrefix}-maxdeact`}>Most deactivations</label>
            <input id={`${idPrefix}-maxdeact`} inputMode="numeric" value={values.maxDeactivations}
              onInput={(e) => onChange({ ...values, maxDeactivations: (e.target as HTMLInputElement).value })} />
          </div>
          <div class="field">
            <label for={`${idPrefix}-maxmgr`}>Most manager changes</label>
            <input id={`${idPrefix}-maxmgr`} inputMode="numeric" value={values.maxManagerChanges}
              onInput={(e) => onChange({ ...values, maxManagerChanges: (e.target as HTMLInputElement).value })} />
          </div>
        </div>
      </details>
    </fieldset>
  );
}
