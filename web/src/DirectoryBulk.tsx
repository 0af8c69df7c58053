// The directory's bulk actions: a bar over the table while people are selected, and the
// confirmation that names who changes.
import { useState } from "preact/hooks";
import { directory } from "./api";
import { Alert, Dialog } from "./components";
import type { Person } from "./gen/staffsync/v1/directory_pb";
import { errorMessage } from "./logic/errors";
import { people } from "./logic/format";
import "./directory.css";
import { bulkNotice, bulkPlan, bulkQuestion, nameList, type BulkAction } from "./logic/selection";

export interface BulkActionSpec {
  action: BulkAction;
  label: string;
}

export const statusActions: BulkActionSpec[] = [
  { action: "deactivate", label: "Deactivate…" },
  { action: "reactivate", label: "Reactivate…" },
];

export function BulkBar({ selected, actions, onAction, onClear }: {
  selected: Person[];
  actions: BulkActionSpec[];
  onAction: (a: BulkAction) => void;
  onClear: () => void;
}) {
  if (selected.length === 0) return null;
  return (
    <div class="bulk-bar" role="region" aria-label="Selected people">
      <strong aria-live="polite">{people(selected.length)} selected</strong>
      {actions.map((a) => (
        <button key={a.action} type="button" class="button secondary small" disabled={bulkPlan(selected, a.action).targets.length === 0}
          onClick={() => onAction(a.action)}>
          {a.label}
        </button>
      ))}
      <button type="button" class="button link" onClick={onClear}>Clear selection</button>
    </div>
  );
}

/** Runs a bulk action after asking; `send` does actions other than status changes (mails). */
export function BulkDialog({ action, selected, onClose, onDone, send }: {
  action: BulkAction | undefined;
  selected: Person[];
  onClose: () => void;
  onDone: (notice: string) => void;
  send?: (targets: Person[]) => Promise<string>;
}) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState("");
  const plan = action ? bulkPlan(selected, action) : { targets: [], skipped: [] };

  async function run() {
    if (!action) return;
    setBusy(true);
    setError("");
    try {
      const emails = plan.targets.map((p) => p.email);
      if (action === "deactivate") onDone(bulkNotice(action, (await directory.deactivatePeople({ people: emails })).results));
      else if (action === "reactivate") onDone(bulkNotice(action, (await directory.reactivatePeople({ people: emails })).results));
      else if (send) onDone(await send(plan.targets));
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  }

  const explain: Record<BulkAction, string> = {
    deactivate: "They lose access and no longer count as billable. Their data and history are kept; you can reactivate them later.",
    reactivate: "They get access again and count as billable.",
    welcome: "Each gets an email inviting them to sign in and set a password.",
  };
  return (
    <Dialog open={action !== undefined} title={action ? bulkQuestion(action, plan.targets.length) : ""} onClose={() => { setError(""); onClose(); }}>
      {action && (
        <>
          <p>{nameList(plan.targets)}.</p>
          <p>{explain[action]}</p>
          {plan.skipped.length > 0 && (
            <p class="muted">
              {nameList(plan.skipped)} {plan.skipped.length === 1 ? "is" : "are"} left out:{" "}
              {action === "reactivate" ? "already active." : "already deactivated."}
            </p>
          )}
        </>
      )}
      {error && <Alert tone="error" title={error} />}
      <div class="actions">
        <button type="button" class={action === "deactivate" ? "button danger" : "button primary"} disabled={busy || plan.targets.length === 0} onClick={run}>
          {action === "deactivate" ? "Deactivate" : action === "reactivate" ? "Reactivate" : "Send"} {people(plan.targets.length)}
        </button>
        <button type="button" class="button secondary" onClick={() => { setError(""); onClose(); }}>Cancel</button>
      </div>
    </Dialog>
  );
}
