// Reverting an applied import: first a check of what stays (fields changed since, status and
// manager included) and of fields an HR integration owns, then the revert, optionally after
// pausing those integrations.
import { useEffect, useState } from "preact/hooks";
import { imports } from "./api";
import { Alert, Dialog, Spinner } from "./components";
import type { RevertImportResponse } from "./gen/staffsync/v1/import_pb";
import { errorMessage } from "./logic/errors";
import { canPauseFirst, hrOwnedLine, keptLine, keptTitle } from "./logic/revert";
import { navigate } from "./router";

const keptShown = 20;

export function RevertDialog({ importId, open, onClose }: { importId: string; open: boolean; onClose: () => void }) {
  const [check, setCheck] = useState<RevertImportResponse>();
  const [pauseFirst, setPauseFirst] = useState(true);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState("");

  useEffect(() => {
    if (!open) return;
    let live = true;
    setCheck(undefined);
    setError("");
    imports.revertImport({ importId, checkOnly: true })
      .then((res) => {
        if (!live) return;
        // A server without the check starts the revert at once; its preview is where to go.
        if (!res.checkOnly && res.import?.id) {
          onClose();
          navigate(`/imports/${res.import.id}`);
          return;
        }
        setCheck(res);
      })
      .catch((err) => live && setError(errorMessage(err)));
    return () => void (live = false);
  }, [open, importId]);

  async function revert() {
    setBusy(true);
    setError("");
    try {
      const owned = check?.hrOwned ?? [];
      const res = await imports.revertImport({ importId, pauseIntegrations: pauseFirst && canPauseFirst(owned) });
      onClose();
      if (res.import?.id) navigate(`/imports/${res.import.id}`);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  }

  const owned = check?.hrOwned ?? [];
  const more = check ? Number(check.keptFields) - Math.min(check.kept.length, keptShown) : 0;
  return (
    <Dialog open={open} title="Revert this import?" onClose={onClose}>
      <p>staffsync prepares a new import that restores the values from before this one. You will see its preview and approve it like any other import.</p>
      {!check && !error && <Spinner label="Checking what the revert would change…" />}
      {check && Number(check.keptFields) > 0 && (
        <Alert tone="warning" title={keptTitle(check.keptFields)} live={false}>
          <ul class="kept">
            {check.kept.slice(0, keptShown).map((k, i) => <li key={i}>{keptLine(k)}</li>)}
          </ul>
          {more > 0 && <p>And {more} more; the revert's preview lists them all.</p>}
        </Alert>
      )}
      {check && Number(check.skippedPeople) > 0 && (
        <p class="muted">{String(check.skippedPeople)} {Number(check.skippedPeople) === 1 ? "person was" : "people were"} deleted since and {Number(check.skippedPeople) === 1 ? "is" : "are"} left out.</p>
      )}
      {owned.length > 0 && (
        <Alert tone="warning" title="Fields owned by an HR integration" live={false}>
          <p>{check?.hrOwnedMessage || owned.map(hrOwnedLine).join(" ")}</p>
          {canPauseFirst(owned) && (
            <div class="option">
              <input type="checkbox" id="revert-pause" checked={pauseFirst} onChange={(e) => setPauseFirst((e.target as HTMLInputElement).checked)} />
              <label for="revert-pause">Pause the integration first ({owned.filter((h) => !h.paused).map((h) => h.integrationName).join(", ")})</label>
            </div>
          )}
        </Alert>
      )}
      {error && <Alert tone="error" title={error} />}
      <div class="actions">
        <button type="button" class="button primary" disabled={busy || (!check && !error)} onClick={revert}>Prepare revert</button>
        <button type="button" class="button secondary" onClick={onClose}>Cancel</button>
      </div>
    </Dialog>
  );
}
