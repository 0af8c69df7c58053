// The integration page's safe order: "Fetch preview" (never applies by itself, works whether
// automatic runs are on, off or paused) and turning automatic runs on as its own step.
import { useState } from "preact/hooks";
import { integrations } from "./api";
import { Alert, Dialog } from "./components";
import type { Integration } from "./gen/staffsync/v1/integration_pb";
import { errorMessage } from "./logic/errors";
import { enableQuestion, fetchedImport, runsInfo } from "./logic/integrationRuns";

export function RunsNote({ i }: { i: Integration }) {
  const r = runsInfo(i);
  return (
    <p class="help runs-note" data-automatic={i.automaticRuns ? "on" : "off"}>
      <strong>{r.label}.</strong> {r.detail}
    </p>
  );
}

/**
 * Fetches a preview and waits (up to a minute) for the import it starts, so the admin gets a
 * link to it. Answers the import id, or "" when the fetch runs but its import is not there yet.
 */
export async function fetchPreview(i: Integration, onIntegration: (i: Integration) => void): Promise<string> {
  const res = await integrations.fetchPreview({ id: i.id });
  if (res.integration) onIntegration(res.integration);
  const started = res.integration ? fetchedImport(i, res.integration) : "";
  if (started) return started;
  for (let n = 0; n < 60; n++) {
    await new Promise((r) => setTimeout(r, 1000));
    const now = (await integrations.getIntegration({ id: i.id })).integration;
    if (!now) break;
    const id = fetchedImport(i, now);
    if (id) {
      onIntegration(now);
      return id;
    }
  }
  return "";
}

/** Turning automatic runs on: asked, with auto-apply left off unless the admin ticks it. */
export function EnableRunsDialog({ target, onClose, onDone }: {
  target: Integration | undefined;
  onClose: () => void;
  onDone: (i: Integration) => void;
}) {
  const [autoApply, setAutoApply] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState("");
  async function enable() {
    if (!target) return;
    setBusy(true);
    setError("");
    try {
      const res = await integrations.setAutomaticRuns({ id: target.id, enabled: true, autoApply });
      onDone(res.integration!);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  }
  return (
    <Dialog open={target !== undefined} title="Turn on automatic runs?" onClose={() => { setError(""); onClose(); }}>
      {target && <p>{enableQuestion(target, autoApply)}</p>}
      <p class="muted">Do this once a fetched preview looked right. You can pause or turn the runs off at any time.</p>
      <div class="option">
        <input type="checkbox" id="enable-auto-apply" checked={autoApply} aria-describedby="enable-auto-apply-help"
          onChange={(e) => setAutoApply((e.target as HTMLInputElement).checked)} />
        <div>
          <label for="enable-auto-apply">Apply changes without waiting for approval</label>
          <p id="enable-auto-apply-help" class="help">Leave it off until you trust what this source sends: every run then waits for your approval.</p>
        </div>
      </div>
      {error && <Alert tone="error" title={error} />}
      <div class="actions">
        <button type="button" class="button primary" disabled={busy} onClick={enable}>Turn on automatic runs</button>
        <button type="button" class="button secondary" onClick={() => { setError(""); onClose(); }}>Cancel</button>
      </div>
    </Dialog>
  );
}
