// "+ Add person": name and email, optional title, department, location and manager (found by
// name), and a "Send welcome email" toggle. The server adds them as a one-person import, with
// the same checks and history as a file.
import { useState } from "preact/hooks";
import { directory } from "./api";
import { Alert } from "./components";
import type { Person } from "./gen/staffsync/v1/directory_pb";
import { addedNotice, addPersonProblems, addPersonRequest, emptyAddPersonForm, type AddPersonForm as Form } from "./logic/addPerson";
import { errorMessage } from "./logic/errors";
import type { Facets } from "./logic/facets";
import type { PickerOption } from "./logic/picker";
import { PersonPicker } from "./PersonPicker";

export function AddPersonForm({ facets, onCancel, onAdded }: {
  facets: Facets;
  onCancel: () => void;
  onAdded: (person: Person, notice: string) => void;
}) {
  const [form, setForm] = useState<Form>(emptyAddPersonForm);
  const [manager, setManager] = useState<PickerOption>();
  const [tried, setTried] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState("");
  const problems = addPersonProblems(form);
  const shown = tried ? problems : {};
  const set = (patch: Partial<Form>) => setForm({ ...form, ...patch });

  async function submit(e: Event) {
    e.preventDefault();
    setTried(true);
    if (Object.keys(problems).length > 0) return;
    setBusy(true);
    setError("");
    try {
      const res = await directory.addPerson(addPersonRequest(form));
      onAdded(res.person!, addedNotice(res, form.sendWelcomeEmail));
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  }

  const text = (key: "firstName" | "lastName" | "email" | "title" | "department" | "location", label: string, required: boolean, list?: string[]) => {
    const id = `add-${key}`;
    const problem = (shown as Record<string, string | undefined>)[key];
    return (
      <div class="field">
        <label for={id}>{label}{required && " (required)"}</label>
        <input id={id} value={form[key]} list={list ? `${id}-values` : undefined} required={required} aria-invalid={problem ? true : undefined}
          aria-describedby={problem ? `${id}-problem` : undefined} autoComplete="off" spellcheck={key !== "email"}
          onInput={(e) => set({ [key]: (e.target as HTMLInputElement).value })} />
        {list && <datalist id={`${id}-values`}>{list.map((v) => <option key={v} value={v} />)}</datalist>}
        {problem && <p id={`${id}-problem`} class="help error-text">{problem}</p>}
      </div>
    );
  };

  return (
    <form class="card add-person" onSubmit={submit} noValidate aria-labelledby="add-person-title">
      <h2 id="add-person-title">Add a person</h2>
      <p class="help">They are added like a one-row import: the same checks, and the history names you. Fill in the rest on their profile afterwards.</p>
      <div class="form-grid">
        {text("firstName", "First name", true)}
        {text("lastName", "Last name", true)}
        {text("email", "Login email", true)}
        {text("title", "Title", false)}
        {text("department", "Department", false, facets.department)}
        {text("location", "Location", false, facets.location)}
      </div>
      <PersonPicker id="add-manager" label="Manager (optional)" help="Type part of a name, then choose the person." activeOnly
        chosen={manager} onChoose={(o) => { setManager(o); set({ managerEmail: o?.email ?? "" }); }} />
      <div class="option">
        <input type="checkbox" id="add-welcome" checked={form.sendWelcomeEmail} aria-describedby="add-welcome-help"
          onChange={(e) => set({ sendWelcomeEmail: (e.target as HTMLInputElement).checked })} />
        <div>
          <label for="add-welcome">Send welcome email</label>
          <p id="add-welcome-help" class="help">They get an email to set their password and sign in. Untick it to invite them later from the directory.</p>
        </div>
      </div>
      {error && <Alert tone="error" title={error} />}
      <div class="actions">
        <button type="submit" class="button primary" disabled={busy}>{busy ? "Adding…" : "Add person"}</button>
        <button type="button" class="button secondary" onClick={onCancel}>Cancel</button>
      </div>
    </form>
  );
}
