// One person: their fields, reporting lines and history, and a form to edit the fields.
import { useEffect, useState } from "preact/hooks";
import { directory } from "../api";
import { Alert, Dialog, Spinner } from "../components";
import type { GetPersonResponse, HistoryEntry, MergePeopleResponse, PersonRef } from "../gen/staffsync/v1/directory_pb";
import { errorMessage } from "../logic/errors";
import { passwordNotice } from "../logic/mails";
import { displayValue, fieldLabel } from "../logic/fields";
import { displayName } from "../logic/people";
import { formOf, historyTitle, mergeSummary, personFields, personValue, updateRequest, type PersonForm } from "../logic/person";
import { linkClick, navigate } from "../router";
import { StatusDialog } from "../StatusDialog";
import { personStatus, statusAction } from "../logic/trust";
import { PersonPicker } from "../PersonPicker";
import { Avatar } from "../Avatar";
import { pickerOptions, type PickerOption } from "../logic/picker";
import type { PageProps } from "./index";

const historyPageSize = 50;

function PersonLink({ person }: { person: PersonRef }) {
  return (
    <a href={`/people/${person.id}`} onClick={linkClick}>
      {person.name || person.email}
      {!person.active && " (deactivated)"}
    </a>
  );
}

export function PersonPage({ route }: PageProps) {
  const id = route.page === "person" ? route.personId : "";
  const [info, setInfo] = useState<GetPersonResponse>();
  const [history, setHistory] = useState<HistoryEntry[]>([]);
  const [moreHistory, setMoreHistory] = useState("");
  const [error, setError] = useState("");
  const [form, setForm] = useState<PersonForm>();
  const [saving, setSaving] = useState(false);
  const [saveError, setSaveError] = useState("");
  const [notice, setNotice] = useState("");
  const [reload, setReload] = useState(0);
  const [dialog, setDialog] = useState<"merge" | "delete" | "status">();
  const [dialogText, setDialogText] = useState("");
  const [mergeCheck, setMergeCheck] = useState<MergePeopleResponse>();
  const [mergeTarget, setMergeTarget] = useState<PickerOption>();
  const [accountError, setAccountError] = useState("");
  const [dialogBusy, setDialogBusy] = useState(false);
  const [dialogError, setDialogError] = useState("");

  useEffect(() => {
    let live = true;
    Promise.all([directory.getPerson({ person: id }), directory.getPersonHistory({ person: id, pageSize: historyPageSize })])
      .then(([person, hist]) => {
        if (!live) return;
        setInfo(person);
        setHistory(hist.entries);
        setMoreHistory(hist.nextPageToken);
        setError("");
      })
      .catch((err) => live && setError(errorMessage(err)));
    return () => void (live = false);
  }, [id, reload]);

  // "Merge…" of a possible duplicate on a preview opens here with the other account chosen.
  useEffect(() => {
    const other = new URLSearchParams(window.location.search).get("merge");
    if (!other) return;
    let live = true;
    directory.getPerson({ person: other }).then((res) => {
      if (!live || !res.person) return;
      openDialog("merge");
      setMergeTarget(pickerOptions([res.person])[0]);
    }).catch(() => {
      // The other account is gone: the page shows without the dialog.
    });
    return () => void (live = false);
  }, [id]);

  async function loadMoreHistory() {
    try {
      const hist = await directory.getPersonHistory({ person: id, pageSize: historyPageSize, pageToken: moreHistory });
      setHistory((h) => [...h, ...hist.entries]);
      setMoreHistory(hist.nextPageToken);
    } catch (err) {
      setError(errorMessage(err));
    }
  }

  async function save(e: Event) {
    e.preventDefault();
    if (!info?.person || !form) return;
    const req = updateRequest(info.person, form);
    if (!req) {
      setForm(undefined);
      setNotice("Nothing changed.");
      return;
    }
    setSaving(true);
    setSaveError("");
    try {
      const res = await directory.updatePerson(req);
      const changed = res.changes.map((c) => fieldLabel(c.field)).join(", ");
      setNotice([changed ? `Saved: ${changed}.` : "Nothing changed.", ...res.warnings].join(" "));
      setForm(undefined);
      setReload((n) => n + 1);
    } catch (err) {
      setSaveError(errorMessage(err));
    } finally {
      setSaving(false);
    }
  }

  function openDialog(which: "merge" | "delete" | "status") {
    setDialog(which);
    setDialogText("");
    setMergeCheck(undefined);
    setMergeTarget(undefined);
    setDialogError("");
    setNotice("");
  }

  async function merge(dryRun: boolean) {
    setDialogBusy(true);
    setDialogError("");
    try {
      if (!mergeTarget) return;
      const res = await directory.mergePeople({ source: id, destination: mergeTarget.id, dryRun });
      if (dryRun) {
        setMergeCheck(res);
      } else {
        setDialog(undefined);
        setNotice([mergeSummary(res), ...res.warnings].join(" "));
        setReload((n) => n + 1);
      }
    } catch (err) {
      setMergeCheck(undefined);
      setDialogError(errorMessage(err));
    } finally {
      setDialogBusy(false);
    }
  }

  async function sendPassword() {
    if (!info?.person) return;
    setDialogBusy(true);
    setNotice("");
    setAccountError("");
    try {
      const res = await directory.sendPasswordEmails({ people: [info.person.id] });
      setNotice(passwordNotice(displayName(info.person), res));
      setReload((n) => n + 1);
    } catch (err) {
      setAccountError(errorMessage(err));
    } finally {
      setDialogBusy(false);
    }
  }

  async function erase() {
    setDialogBusy(true);
    setDialogError("");
    try {
      await directory.deletePerson({ person: id, confirmEmail: dialogText.trim() });
      setDialog(undefined);
      navigate("/directory");
    } catch (err) {
      setDialogError(errorMessage(err));
    } finally {
      setDialogBusy(false);
    }
  }

  if (error) return <section><h1 tabIndex={-1}>Person</h1><Alert tone="error" title={error} /></section>;
  if (!info?.person) return <Spinner label="Loading the person…" />;
  const p = info.person;
  const owned = new Map(info.ownedFields.map((o) => [o.field, o.integration]));

  return (
    <section>
      <h1 tabIndex={-1} class="person-title"><Avatar name={displayName(p)} photoUrl={p.photoUrl} size={48} />{displayName(p)}</h1>
      <p class="muted">
        {p.email} · <span class={`badge status-${personStatus(p).tone}`} data-testid="person-status">{personStatus(p).text}</span>
        {info.mergedInto && <> · merged into <PersonLink person={info.mergedInto} /></>}
      </p>
      {notice && <Alert tone="success" title={notice} live />}

      <div class="card">
        <h2>Reporting lines</h2>
        <p>Manager: {info.manager ? <PersonLink person={info.manager} /> : "none"}</p>
        {info.secondaryManager && <p>Secondary manager: <PersonLink person={info.secondaryManager} /></p>}
        <p>
          Direct reports: {info.directReports.length === 0 ? "none" : info.directReports.map((r, i) => (
            <span key={r.id}>{i > 0 && ", "}<PersonLink person={r} /></span>
          ))}
        </p>
      </div>

      {form ? (
        <form class="card" onSubmit={save} noValidate>
          <h2>Edit {displayName(p)}</h2>
          <p class="help">Empty a field to clear it. Managers are given by their login email.</p>
          {personFields.map((f) => (
            <div class="field" key={f}>
              <label for={`person-${f}`}>{fieldLabel(f)}</label>
              <input id={`person-${f}`} value={form[f]} disabled={owned.has(f)} aria-describedby={owned.has(f) ? `person-${f}-owned` : undefined}
                onInput={(e) => setForm({ ...form, [f]: (e.target as HTMLInputElement).value })} />
              {owned.has(f) && <p id={`person-${f}-owned`} class="help">Kept in step by {owned.get(f)}; change it there.</p>}
            </div>
          ))}
          {saveError && <Alert tone="error" title={saveError} />}
          <div class="actions">
            <button type="submit" class="button primary" disabled={saving}>{saving ? "Saving…" : "Save"}</button>
            <button type="button" class="button secondary" onClick={() => { setForm(undefined); setSaveError(""); }}>Cancel</button>
          </div>
        </form>
      ) : (
        <div class="card">
          <h2>Fields</h2>
          <table class="diff">
            <caption class="visually-hidden">Fields of {displayName(p)}</caption>
            <tbody>
              {personFields.map((f) => (
                <tr key={f}>
                  <th scope="row">{fieldLabel(f)}</th>
                  <td class={personValue(p, f) === "" ? "empty-value" : undefined}>{displayValue(personValue(p, f))}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <div class="actions">
            <button type="button" class="button primary needs-admin" onClick={() => { setForm(formOf(p)); setNotice(""); }}>Edit…</button>
          </div>
        </div>
      )}

      {!info.mergedInto && (
        <div class="card">
          <h2>Account</h2>
          <p class="help">
            Deactivate or reactivate the account, merge a duplicate into the one that stays, or delete a deactivated
            person for good, for example on a request to erase their data.
          </p>
          {accountError && <Alert tone="error" title={accountError} />}
          <div class="actions">
            <button type="button" class="button secondary needs-admin" onClick={() => openDialog("status")}>{statusAction(p)}…</button>
            {p.active && (
              <button type="button" class="button secondary needs-admin" disabled={dialogBusy} onClick={sendPassword}>
                {info.passwordEmailSent ? "Send password mail again" : "Send password mail"}
              </button>
            )}
            <button type="button" class="button secondary needs-admin" onClick={() => openDialog("merge")}>Merge into another account…</button>
            {!p.active && <button type="button" class="button danger-outline needs-admin" onClick={() => openDialog("delete")}>Delete…</button>}
          </div>
        </div>
      )}
      <StatusDialog
        person={dialog === "status" ? p : undefined}
        onClose={() => setDialog(undefined)}
        onChanged={(text) => {
          setDialog(undefined);
          setNotice(text);
          setReload((n) => n + 1);
        }}
      />
      <Dialog open={dialog === "merge"} title="Merge into another account?" onClose={() => setDialog(undefined)}>
        <p>
          {displayName(p)}'s direct reports, cycles, reviewer roles and history move to the account that stays, and this
          account is deactivated.
        </p>
        {dialog === "merge" && (
          <PersonPicker id="merge-destination" label="Account that stays" help="Type part of a name or email, then choose the person."
            exclude={[p.id]} chosen={mergeTarget} onChoose={(o) => { setMergeTarget(o); setMergeCheck(undefined); }} />
        )}
        {mergeCheck && <Alert tone="info" title={mergeSummary(mergeCheck)}>{mergeCheck.warnings.map((w) => <p key={w}>{w}</p>)}</Alert>}
        {dialogError && <Alert tone="error" title={dialogError} />}
        <div class="actions">
          {mergeCheck ? (
            <button type="button" class="button primary" disabled={dialogBusy} onClick={() => merge(false)}>{dialogBusy ? "Merging…" : "Merge"}</button>
          ) : (
            <button type="button" class="button primary" disabled={dialogBusy || !mergeTarget} onClick={() => merge(true)}>
              {dialogBusy ? "Checking…" : "Check what moves"}
            </button>
          )}
          <button type="button" class="button secondary" onClick={() => setDialog(undefined)}>Cancel</button>
        </div>
      </Dialog>
      <Dialog open={dialog === "delete"} title="Delete this person for good?" onClose={() => setDialog(undefined)}>
        <p>
          {displayName(p)}'s data and history are erased and cannot be restored. Their reports lose them as manager.
        </p>
        <div class="field">
          <label for="delete-confirm">Type {p.email} to confirm</label>
          <input id="delete-confirm" value={dialogText} spellcheck={false} autoComplete="off"
            onInput={(e) => setDialogText((e.target as HTMLInputElement).value)} />
        </div>
        {dialogError && <Alert tone="error" title={dialogError} />}
        <div class="actions">
          <button type="button" class="button danger" disabled={dialogBusy || dialogText.trim().toLowerCase() !== p.email.toLowerCase()} onClick={erase}>
            {dialogBusy ? "Deleting…" : "Delete for good"}
          </button>
          <button type="button" class="button secondary" onClick={() => setDialog(undefined)}>Cancel</button>
        </div>
      </Dialog>

      <div class="card">
        <h2>History</h2>
        {history.length === 0 && <p class="muted">No history yet.</p>}
        <ul class="history">
          {history.map((e) => (
            <li key={e.id}>
              <strong>{historyTitle(e)}</strong>
              {e.changes.length > 0 && (
                <ul>
                  {e.changes.map((c) => (
                    <li key={c.field}>{fieldLabel(c.field)}: {displayValue(c.old)} → {displayValue(c.new)}</li>
                  ))}
                </ul>
              )}
            </li>
          ))}
        </ul>
        {moreHistory && <button type="button" class="button secondary" onClick={loadMoreHistory}>Older entries</button>}
      </div>
    </section>
  );
}
