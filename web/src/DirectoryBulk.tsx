// The directory's bulk actions: a bar over the table while people are selected, and the
// confirmation that names who changes.
import { useState } from "preact/hooks";
import { directory } from "./api";
import { Alert, Dialog } from "./components";
import type { Person } from "./gen/staffsync/v1/directory_pb";
import { errorMessage } from "./logic/errors";
import { people } from "./logic/format";
import { welcomeNotice } from "./logic/mails";
import "./directory.css";
import { bulkNotice, bulkPlan, bulkQuestion, nameList, type BulkAction } from "./logic/selection";

export interface BulkActionSpec {
  action: BulkAction;
  label: string;
}

export const bulkActions: BulkActionSpec[] = [
  { action: "deactivate", label: "Deactivate…" },
  { action: "reactivate", label: "Reactivate…" },
  { action: "welcome", label: "Send welcome mails…" },
];

/** Welcome mails for the selected people. */
export async function sendWelcome(targets: Person[]): Promise<string> {
  return welcomeNotice(await directory.sendWelcomeEmails({ people: targets.map((p) => p.email) }));
}

/** "Send welcome mails" to everyone active who was never invited (the seeds' Admin menu). */
export function InviteEveryoneDialog({ open, onClose, onDone }: { open: boolean; onClose: () => void; onDone: (notice: string) => void }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState("");
  async function run() {
    setBusy(true);
    setError("");
    try {
      onDone(welcomeNotice(await directory.sendWelcomeEmails({ notYetInvited: true })));
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  }
  return (
    <Dialog open={open} title="Send welcome mails to everyone not invited yet?" onClose={() => { setError(""); onClose(); }}>
      <p>Every active person who never got a welcome or password email gets one now, to set their password and sign in. People invited before get nothing.</p>
      <p class="muted">To invite only some people, tick them in the table and use the bar above it.</p>
      {error && <Alert tone="error" title={error} />}
      <div class="actions">
        <button type="button" class="button primary" disabled={busy} onClick={run}>Send welcome mails</button>
        <button type="button" class="button secondary" onClick={() => { setError(""); onClose(); }}>Cancel</button>
      </div>
    </Dialog>
  );
}

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
          {action === "welcome"
            ? `Send ${plan.targets.length} welcome ${plan.targets.length === 1 ? "mail" : "mails"}`
            : `${action === "deactivate" ? "Deactivate" : "Reactivate"} ${people(plan.targets.length)}`}
        </button>
        <button type="button" class="button secondary" onClick={() => { setError(""); onClose(); }}>Cancel</button>
      </div>
    </Dialog>
  );
}
