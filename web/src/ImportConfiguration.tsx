// The Import page's Configuration section: the company's import defaults, which every upload
// (and the preview of every upload) starts from, each option explained.
import { useState } from "preact/hooks";
import { imports } from "./api";
import { Alert } from "./components";
import type { ImportDefaults } from "./gen/staffsync/v1/import_pb";
import { defaultsToSave } from "./logic/defaults";
import { errorMessage } from "./logic/errors";
import { formatDateTime } from "./logic/format";
import { activateOnHireDateDefault, guardLimitError, optionValuesOf, type OptionValues } from "./logic/options";
import { OptionsFieldset } from "./OptionsFieldset";

export function ImportConfiguration({ stored, onSaved, onClose }: {
  stored: ImportDefaults | undefined;
  onSaved: (d: ImportDefaults) => void;
  onClose: () => void;
}) {
  const [values, setValues] = useState<OptionValues>(() => optionValuesOf(stored?.options));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState("");

  async function save(e: Event) {
    e.preventDefault();
    const limit = guardLimitError(values.maxDeactivations) ?? guardLimitError(values.maxManagerChanges);
    if (limit) {
      setError(`Safety guard: ${limit}`);
      return;
    }
    setBusy(true);
    setError("");
    try {
      const res = await imports.updateImportDefaults({ options: defaultsToSave(stored?.options, values) });
      onSaved(res.defaults!);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form class="card configuration" onSubmit={save} noValidate aria-labelledby="configuration-title">
      <h2 id="configuration-title">Configuration</h2>
      <p class="help">
        The company's import defaults. Every upload starts from them, and each preview shows the options it used; an
        upload can still change an option for itself.
        {stored?.saved && stored.updatedBy && <> Last saved by {stored.updatedBy}{stored.updatedAt && <> on {formatDateTime(stored.updatedAt)}</>}.</>}
        {stored && !stored.saved && <> Nothing saved yet: the built-in defaults apply.</>}
      </p>
      <OptionsFieldset values={values} onChange={setValues} showSheet={false} idPrefix="cfg" hireDateDefault={activateOnHireDateDefault()} legend="Default options" />
      {error && <Alert tone="error" title={error} />}
      <div class="actions">
        <button type="submit" class="button primary" disabled={busy}>{busy ? "Saving…" : "Save configuration"}</button>
        <button type="button" class="button secondary" onClick={onClose}>Close</button>
      </div>
    </form>
  );
}
