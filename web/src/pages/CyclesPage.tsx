// Performance cycles: list, create, add people, reset reviewers.
import { useEffect, useState } from "preact/hooks";
import { cycles } from "../api";
import { Alert, Dialog, Spinner } from "../components";
import type { Cycle } from "../gen/staffsync/v1/cycle_pb";
import {
  createCycleRequest,
  cycleFormProblems,
  cycleKindLabel,
  cycleKinds,
  emptyCycleForm,
  hasReviewers,
  parseEmails,
  type CycleForm,
} from "../logic/cycles";
import { CycleKind } from "../gen/staffsync/v1/cycle_pb";
import { errorMessage } from "../logic/errors";
import { formatCount, formatDateTime, people } from "../logic/format";

export function CyclesPage() {
  const [list, setList] = useState<Cycle[]>();
  const [error, setError] = useState("");
  const [notice, setNotice] = useState("");
  const [creating, setCreating] = useState(false);
  const [addTarget, setAddTarget] = useState<Cycle>();
  const [emails, setEmails] = useState("");
  const [resetTarget, setResetTarget] = useState<Cycle>();
  const [busy, setBusy] = useState(false);
  const [dialogError, setDialogError] = useState("");

  useEffect(() => {
    let live = true;
    cycles
      .listCycles({})
      .then((res) => live && (setList(res.cycles), setError("")))
      .catch((err) => live && setError(errorMessage(err)));
    return () => void (live = false);
  }, []);

  function replace(c: Cycle | undefined) {
    if (c && list) setList(list.map((x) => (x.id === c.id ? c : x)));
  }

  async function addPeople() {
    if (!addTarget) return;
    const list = parseEmails(emails);
    if (list.length === 0) return setDialogError("Paste at least one login email.");
    setBusy(true);
    setDialogError("");
    try {
      const res = await cycles.addPeople({ cycleId: addTarget.id, emails: list });
      replace(res.cycle);
      const skipped = list.length - Number(res.added);
      setNotice(`${people(res.added)} joined ${addTarget.name}${skipped > 0 ? `; ${formatCount(skipped)} already took part` : ""}.`);
      setAddTarget(undefined);
    } catch (err) {
      setDialogError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  }

  async function resetReviewers() {
    if (!resetTarget) return;
    setBusy(true);
    setDialogError("");
    try {
      const res = await cycles.resetReviewers({ cycleId: resetTarget.id });
      replace(res.cycle);
      setNotice(`${resetTarget.name}: ${formatCount(res.reviewersChanged)} ${Number(res.reviewersChanged) === 1 ? "reviewer" : "reviewers"} changed to the current manager.`);
      setResetTarget(undefined);
    } catch (err) {
      setDialogError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <section>
      <div class="page-head">
        <div>
          <h1 tabIndex={-1}>Cycles</h1>
          <p class="meta">Objectives, reviews and 360 feedback. Imports can add new people and update reviewers.</p>
        </div>
        {!creating && <button type="button" class="button primary needs-admin" onClick={() => { setCreating(true); setNotice(""); }}>New cycle</button>}
      </div>
      {creating && (
        <CreateCycleForm
          onCancel={() => setCreating(false)}
          onCreated={(c) => {
            setCreating(false);
            setList([...(list ?? []), c]);
            setNotice(`Created ${c.name}.`);
          }}
        />
      )}
      {notice && <Alert tone="success" title={notice} live />}
      {error && <Alert tone="error" title={error} />}
      {!list && !error && <Spinner label="Loading cycles…" />}
      {list && list.length === 0 && !creating && <p>No cycles yet.</p>}
      {list && list.length > 0 && (
        <table class="cycles">
          <caption class="visually-hidden">Cycles</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Kind</th>
              <th scope="col">People</th>
              <th scope="col">Created</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {list.map((c) => (
              <tr key={c.id}>
                <td>
                  <strong>{c.name}</strong>
                  {!c.open && <span class="badge status-neutral">closed</span>}
                  {c.openToEveryone && <p class="help">Open to everyone: new people join when an import adds them.</p>}
                </td>
                <td>{cycleKindLabel(c.kind)}</td>
                <td>{formatCount(c.participants)}</td>
                <td>{formatDateTime(c.createdAt)}</td>
                <td>
                  <div class="row-actions">
                    <button type="button" class="button secondary small needs-admin" aria-label={`Add people to ${c.name}`}
                      onClick={() => { setEmails(""); setDialogError(""); setAddTarget(c); }}>Add people…</button>
                    {hasReviewers(c) && (
                      <button type="button" class="button secondary small needs-admin" aria-label={`Reset reviewers of ${c.name}`}
                        onClick={() => { setDialogError(""); setResetTarget(c); }}>Reset reviewers…</button>
                    )}
                  </div>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <Dialog open={addTarget !== undefined} title={`Add people to ${addTarget?.name ?? ""}`} onClose={() => setAddTarget(undefined)}>
        <div class="field">
          <label for="cycle-emails">Login emails, one per line or separated by commas</label>
          <textarea id="cycle-emails" rows={6} value={emails} spellcheck={false} onInput={(e) => setEmails((e.target as HTMLTextAreaElement).value)} />
        </div>
        {dialogError && <Alert tone="error" title={dialogError} />}
        <div class="actions">
          <button type="button" class="button primary" disabled={busy} onClick={addPeople}>{busy ? "Adding…" : "Add people"}</button>
          <button type="button" class="button secondary" onClick={() => setAddTarget(undefined)}>Cancel</button>
        </div>
      </Dialog>
      <Dialog open={resetTarget !== undefined} title="Reset the reviewers?" onClose={() => setResetTarget(undefined)}>
        <p>Everyone in {resetTarget?.name} gets their current manager as reviewer.</p>
        {dialogError && <Alert tone="error" title={dialogError} />}
        <div class="actions">
          <button type="button" class="button primary" disabled={busy} onClick={resetReviewers}>{busy ? "Resetting…" : "Reset reviewers"}</button>
          <button type="button" class="button secondary" onClick={() => setResetTarget(undefined)}>Cancel</button>
        </div>
      </Dialog>
    </section>
  );
}

function CreateCycleForm({ onCancel, onCreated }: { onCancel: () => void; onCreated: (c: Cycle) => void }) {
  const [form, setForm] = useState<CycleForm>(emptyCycleForm);
  const [tried, setTried] = useState(false);
  const [serverError, setServerError] = useState("");
  const [busy, setBusy] = useState(false);
  const problems = [...(tried ? cycleFormProblems(form) : []), ...(serverError ? [serverError] : [])];
  const kind = cycleKinds.find((k) => k.kind === form.kind);

  async function submit(e: Event) {
    e.preventDefault();
    setTried(true);
    setServerError("");
    if (cycleFormProblems(form).length) return;
    setBusy(true);
    try {
      onCreated((await cycles.createCycle(createCycleRequest(form))).cycle!);
    } catch (err) {
      setServerError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form class="card" onSubmit={submit} noValidate>
      <h2>New cycle</h2>
      <div class="option-row">
        <div class="field">
          <label for="cycle-name">Name (required)</label>
          <input id="cycle-name" value={form.name} onInput={(e) => setForm({ ...form, name: (e.target as HTMLInputElement).value })} />
        </div>
        <div class="field">
          <label for="cycle-kind">Kind</label>
          <select id="cycle-kind" value={String(form.kind)} onChange={(e) => setForm({ ...form, kind: Number((e.target as HTMLSelectElement).value) as CycleKind })}>
            {cycleKinds.map((k) => <option key={k.kind} value={String(k.kind)}>{k.label}</option>)}
          </select>
          {kind && <p class="help">{kind.description}</p>}
        </div>
      </div>
      {form.kind === CycleKind.CYCLE_KIND_OBJECTIVES && (
        <div class="option">
          <input type="checkbox" id="cycle-everyone" checked={form.openToEveryone}
            onChange={(e) => setForm({ ...form, openToEveryone: (e.target as HTMLInputElement).checked })} />
          <label for="cycle-everyone">Open to everyone (new people join when an import adds them)</label>
        </div>
      )}
      {problems.length > 0 && (
        <Alert tone="error" title="Check the form">
          <ul>{problems.map((p) => <li key={p}>{p}</li>)}</ul>
        </Alert>
      )}
      <div class="actions">
        <button type="submit" class="button primary" disabled={busy}>{busy ? "Creating…" : "Create cycle"}</button>
        <button type="button" class="button secondary" onClick={onCancel}>Cancel</button>
      </div>
    </form>
  );
}
