// Deactivating or reactivating one person, asked first: the directory list and a person's page.
import { useEffect, useState } from "preact/hooks";
import { directory } from "./api";
import { Alert, Dialog } from "./components";
import type { Person } from "./gen/staffsync/v1/directory_pb";
import { errorMessage } from "./logic/errors";
import { displayName, statusNotice } from "./logic/people";
import { statusAction } from "./logic/trust";

/** Asks to change person's status (nothing is shown without a person) and does it. */
export function StatusDialog({ person, onClose, onChanged }: {
  person: Person | undefined;
  onClose: () => void;
  /** Called with the sentence to show once the status changed. */
  onChanged: (notice: string) => void;
}) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState("");
  useEffect(() => setError(""), [person]);

  async function change(p: Person) {
    setBusy(true);
    setError("");
    try {
      const req = { people: [p.email] };
      const res = p.active ? await directory.deactivatePeople(req) : await directory.reactivatePeople(req);
      onChanged(statusNotice(p, res.results));
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Dialog open={person !== undefined} title={person ? `${statusAction(person)} this person?` : ""} onClose={onClose}>
      {person && (
        <p>
          {person.active
            ? `${displayName(person)} (${person.email}) loses access and no longer counts as billable. Their history is kept; you can reactivate them later.`
            : person.pending
              ? `${displayName(person)} (${person.email}) has not started yet${person.hireDate ? ` (starts on ${person.hireDate})` : ""}. Activating them now gives them access before that date and makes them billable.`
              : `${displayName(person)} (${person.email}) gets access again and counts as billable.`}
        </p>
      )}
      {error && <Alert tone="error" title={error} />}
      <div class="actions">
        <button type="button" class={person?.active ? "button danger" : "button primary"} disabled={busy} onClick={() => person && change(person)}>
          {person ? statusAction(person) : ""}
        </button>
        <button type="button" class="button secondary" onClick={onClose}>Cancel</button>
      </div>
    </Dialog>
  );
}
