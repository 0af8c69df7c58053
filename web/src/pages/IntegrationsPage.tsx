import { useEffect, useState } from "preact/hooks";
import { integrations } from "../api";
import { Alert, Dialog, Spinner } from "../components";
import type { Integration } from "../gen/staffsync/v1/integration_pb";
import { connectionTestMessage } from "../logic/connectionTest";
import { errorMessage } from "../logic/errors";
import { formatDateTime } from "../logic/format";
import {
  createRequest,
  editForm,
  emptyIntegrationForm,
  formProblems,
  changedEndpoint,
  droppedSecrets,
  hostKeyFingerprint,
  integrationKinds,
  intervalChoices,
  kindLabel,
  kindSpec,
  stateInfo,
  type FieldSpec,
  type IntegrationForm,
  updateRequest,
} from "../logic/integrations";
import { activateOnHireDateDefault } from "../logic/options";
import { IntegrationState } from "../gen/staffsync/v1/integration_pb";
import { OptionsFieldset } from "../OptionsFieldset";
import { linkClick } from "../router";
import { EnableRunsDialog, fetchPreview, RunsNote } from "../IntegrationRuns";

type RowMessage = { tone: "success" | "error" | "info"; text: string; details?: string[]; importId?: string };

export function IntegrationsPage() {
  const [list, setList] = useState<Integration[]>();
  const [error, setError] = useState("");
  const [notice, setNotice] = useState("");
  const [creating, setCreating] = useState(false);
  const [messages, setMessages] = useState<Record<string, RowMessage>>({});
  const [busy, setBusy] = useState("");
  const [pauseTarget, setPauseTarget] = useState<Integration>();
  const [pauseReason, setPauseReason] = useState("");
  const [editing, setEditing] = useState<Integration>();
  const [deleteTarget, setDeleteTarget] = useState<Integration>();
  const [enableTarget, setEnableTarget] = useState<Integration>();
  const [reload, setReload] = useState(0);

  useEffect(() => {
    let live = true;
    integrations
      .listIntegrations({})
      .then((res) => live && (setList(res.integrations), setError("")))
      .catch((err) => live && setError(errorMessage(err)));
    return () => void (live = false);
  }, [reload]);

  function replace(i: Integration | undefined) {
    if (!i || !list) return setReload((n) => n + 1);
    setList(list.map((x) => (x.id === i.id ? i : x)));
  }

  async function pin(i: Integration, fingerprint: string) {
    setBusy(`${i.id}:pin`);
    try {
      replace((await integrations.updateIntegration({ id: i.id, settings: { host_key: fingerprint } })).integration);
      setMessages({ ...messages, [i.id]: { tone: "success", text: `Pinned ${fingerprint}. Test the connection again to check it.` } });
    } catch (err) {
      setMessages({ ...messages, [i.id]: { tone: "error", text: errorMessage(err) } });
    } finally {
      setBusy("");
    }
  }

  async function remove(i: Integration) {
    setBusy(`${i.id}:delete`);
    try {
      await integrations.deleteIntegration({ id: i.id });
      setDeleteTarget(undefined);
      setList((list ?? []).filter((x) => x.id !== i.id));
      setNotice(`Deleted ${i.name}. Its imports stay in the history.`);
    } catch (err) {
      setDeleteTarget(undefined);
      setMessages({ ...messages, [i.id]: { tone: "error", text: errorMessage(err) } });
    } finally {
      setBusy("");
    }
  }

  async function fetchNow(i: Integration) {
    setBusy(`${i.id}:fetch`);
    setMessages((m) => ({ ...m, [i.id]: { tone: "info", text: "Fetching a preview…" } }));
    try {
      const importId = await fetchPreview(i, (now) => setList((l) => l?.map((x) => (x.id === now.id ? now : x))));
      setMessages((m) => ({ ...m, [i.id]: importId
        ? { tone: "success", text: "The preview is ready. Nothing is applied until you approve it.", importId }
        : { tone: "info", text: "The fetch runs; its preview appears in the History when it is ready." } }));
    } catch (err) {
      setMessages((m) => ({ ...m, [i.id]: { tone: "error", text: errorMessage(err) } }));
    } finally {
      setBusy("");
    }
  }

  async function stopRuns(i: Integration) {
    setBusy(`${i.id}:runs`);
    try {
      replace((await integrations.setAutomaticRuns({ id: i.id, enabled: false })).integration);
      setMessages({ ...messages, [i.id]: { tone: "info", text: "Automatic runs are off. Fetch preview still works." } });
    } catch (err) {
      setMessages({ ...messages, [i.id]: { tone: "error", text: errorMessage(err) } });
    } finally {
      setBusy("");
    }
  }

  async function act(i: Integration, what: "test" | "resume" | "sync" | "pause") {
    setBusy(`${i.id}:${what}`);
    try {
      if (what === "test") {
        const res = await integrations.testConnection({ id: i.id });
        setMessages({ ...messages, [i.id]: connectionTestMessage(res) });
      } else if (what === "resume") {
        replace((await integrations.resumeIntegration({ id: i.id })).integration);
        setMessages({ ...messages, [i.id]: { tone: "info", text: "Resumed; a sync runs now." } });
      } else if (what === "sync") {
        replace((await integrations.syncNow({ id: i.id })).integration);
        setMessages({ ...messages, [i.id]: { tone: "info", text: "A sync runs now." } });
      } else {
        replace((await integrations.pauseIntegration({ id: i.id, reason: pauseReason.trim() })).integration);
        setPauseTarget(undefined);
        setMessages({ ...messages, [i.id]: { tone: "info", text: "Paused. A run in progress stops before it applies anything." } });
      }
    } catch (err) {
      setMessages({ ...messages, [i.id]: { tone: "error", text: errorMessage(err) } });
    } finally {
      setBusy("");
    }
  }

  return (
    <section>
      <div class="page-head">
        <div>
          <h1 tabIndex={-1}>Integrations</h1>
          <p class="meta">Sources that keep the directory in step by themselves, on a schedule.</p>
        </div>
        {!creating && <button type="button" class="button primary needs-admin" onClick={() => { setEditing(undefined); setCreating(true); }}>New integration</button>}
      </div>
      {creating && (
        <IntegrationFormCard
          onCancel={() => setCreating(false)}
          onSaved={(i, note) => {
            setCreating(false);
            setList([...(list ?? []), i]);
            setMessages({ ...messages, [i.id]: { tone: "success", text: note } });
          }}
        />
      )}
      {editing && (
        <IntegrationFormCard
          key={editing.id}
          existing={editing}
          onCancel={() => setEditing(undefined)}
          onSaved={(i, note) => {
            setEditing(undefined);
            replace(i);
            setMessages({ ...messages, [i.id]: { tone: "success", text: note } });
          }}
        />
      )}
      {notice && <Alert tone="success" title={notice} live />}
      {error && <Alert tone="error" title={error} />}
      {!list && !error && <Spinner label="Loading integrations…" />}
      {list && list.length === 0 && !creating && <p>No integrations yet. Create one to import on a schedule instead of uploading files by hand.</p>}
      {list && list.length > 0 && (
        <table class="integrations">
          <caption class="visually-hidden">Integrations</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Source</th>
              <th scope="col">State</th>
              <th scope="col">Last run</th>
              <th scope="col">Next run</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {list.map((i) => {
              const st = stateInfo(i);
              const msg = messages[i.id];
              const paused = i.state === IntegrationState.PAUSED;
              return (
                <tr key={i.id}>
                  <td><strong>{i.name}</strong></td>
                  <td>{kindLabel(i.kind)}</td>
                  <td>
                    <span class={`badge status-${st.tone}`}>{st.label}</span>
                    {st.detail && <p class="help">{st.detail}</p>}
                    <RunsNote i={i} />
                    {i.currentImportId && (
                      <p class="help"><a href={`/imports/${i.currentImportId}`} onClick={linkClick}>Open the waiting import</a></p>
                    )}
                  </td>
                  <td>
                    {i.lastRunAt ? formatDateTime(i.lastRunAt) : <span class="muted">never</span>}
                    {i.lastResult && <p class="help">{i.lastResult}</p>}
                    {i.lastImportId && <p class="help"><a href={`/imports/${i.lastImportId}`} onClick={linkClick}>Last import</a></p>}
                  </td>
                  <td>{paused ? <span class="muted">paused</span> : i.nextRunAt ? formatDateTime(i.nextRunAt) : <span class="muted">—</span>}</td>
                  <td>
                    <div class="row-actions">
                      <button type="button" class="button secondary small needs-admin" disabled={busy !== ""} onClick={() => act(i, "test")}>
                        {busy === `${i.id}:test` ? "Testing…" : "Test connection"}
                      </button>
                      <button type="button" class="button secondary small" disabled={busy !== ""} onClick={() => fetchNow(i)}
                        aria-label={`Fetch a preview of ${i.name}`}>
                        {busy === `${i.id}:fetch` ? "Fetching…" : "Fetch preview"}
                      </button>
                      {i.automaticRuns ? (
                        <button type="button" class="button secondary small" disabled={busy !== ""} onClick={() => stopRuns(i)}>Turn off automatic runs</button>
                      ) : (
                        <button type="button" class="button primary small" disabled={busy !== ""} onClick={() => setEnableTarget(i)}>Enable automatic runs…</button>
                      )}
                      {paused ? (
                        <button type="button" class="button secondary small needs-admin" disabled={busy !== ""} onClick={() => act(i, "resume")}>Resume</button>
                      ) : (
                        <>
                          {i.automaticRuns && <button type="button" class="button secondary small needs-admin" disabled={busy !== ""} onClick={() => act(i, "sync")}>Sync now</button>}
                          <button type="button" class="button secondary small needs-admin" disabled={busy !== ""} onClick={() => { setPauseReason(""); setPauseTarget(i); }}>Pause…</button>
                        </>
                      )}
                      <button type="button" class="button secondary small needs-admin" disabled={busy !== ""} aria-label={`Edit ${i.name}`}
                        onClick={() => { setCreating(false); setNotice(""); setEditing(i); }}>Edit…</button>
                      <button type="button" class="button danger-outline small needs-admin" disabled={busy !== ""} aria-label={`Delete ${i.name}`}
                        onClick={() => { setNotice(""); setDeleteTarget(i); }}>Delete…</button>
                    </div>
                    {msg && (
                      <p class={`row-message row-message-${msg.tone}`} role="status">
                        {msg.text}
                        {msg.importId && <> <a href={`/imports/${msg.importId}`} onClick={linkClick}>Open the preview</a></>}
                      </p>
                    )}
                    {msg?.details && msg.details.length > 0 && (
                      <ul class="help">{msg.details.map((d) => <li key={d}>{d}</li>)}</ul>
                    )}
                    {msg && i.kind === "sftp" && msg.tone === "success" && !i.settings["host_key"] && hostKeyFingerprint(msg.text) && (
                      <button type="button" class="button secondary small needs-admin" disabled={busy !== ""}
                        onClick={() => pin(i, hostKeyFingerprint(msg.text)!)}>
                        Pin this host key
                      </button>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      {enableTarget && <EnableRunsDialog target={enableTarget} onClose={() => setEnableTarget(undefined)} onDone={(i) => {
        setEnableTarget(undefined);
        replace(i);
        setMessages({ ...messages, [i.id]: { tone: "success", text: i.autoApply ? "Automatic runs are on; runs apply by themselves." : "Automatic runs are on; each run waits for approval." } });
      }} />}
      <Dialog open={deleteTarget !== undefined} title="Delete this integration?" onClose={() => setDeleteTarget(undefined)}>
        <p>
          {deleteTarget?.name} stops syncing and its settings and credentials are deleted. The people it imported stay, and
          its imports stay in the history; an import waiting for approval can still be approved or rejected.
        </p>
        <div class="actions">
          <button type="button" class="button danger" disabled={busy !== ""} onClick={() => deleteTarget && remove(deleteTarget)}>Delete</button>
          <button type="button" class="button secondary" onClick={() => setDeleteTarget(undefined)}>Cancel</button>
        </div>
      </Dialog>
      <Dialog open={pauseTarget !== undefined} title="Pause this integration?" onClose={() => setPauseTarget(undefined)}>
        <p>No new runs start until you resume it. A run in progress stops before it applies anything.</p>
        <div class="field">
          <label for="pause-reason">Reason (shown to other admins)</label>
          <input id="pause-reason" value={pauseReason} onInput={(e) => setPauseReason((e.target as HTMLInputElement).value)} />
        </div>
        <div class="actions">
          <button type="button" class="button primary" disabled={busy !== ""} onClick={() => pauseTarget && act(pauseTarget, "pause")}>Pause</button>
          <button type="button" class="button secondary" onClick={() => setPauseTarget(undefined)}>Cancel</button>
        </div>
      </Dialog>
    </section>
  );
}

function Field({ spec, value, onInput, secret, current }: {
  spec: FieldSpec;
  value: string;
  onInput: (v: string) => void;
  secret: boolean;
  /** A secret already stored ("set, ends in WXYZ"): blank keeps it. */
  current?: string;
}) {
  const id = `${secret ? "secret" : "setting"}-${spec.key}`;
  const help = current ? `${current[0].toUpperCase()}${current.slice(1)}; leave blank to keep it. ${spec.help ?? ""}`.trim() : spec.help;
  const helpId = help ? `${id}-help` : undefined;
  const required = spec.required && !current;
  if (spec.checkbox) {
    return (
      <div class="option">
        <input type="checkbox" id={id} checked={value === "true"} onChange={(e) => onInput((e.target as HTMLInputElement).checked ? "true" : "")} />
        <label for={id}>{spec.label}</label>
      </div>
    );
  }
  const common = {
    id,
    value,
    placeholder: spec.placeholder,
    required,
    "aria-describedby": helpId,
    autoComplete: secret ? "new-password" : "off",
    spellcheck: false,
  };
  return (
    <div class="field">
      <label for={id}>{spec.label}{required ? " (required)" : ""}</label>
      {spec.multiline ? (
        <textarea {...common} rows={4} onInput={(e) => onInput((e.target as HTMLTextAreaElement).value)} />
      ) : (
        <input {...common} type={secret ? "password" : "text"} onInput={(e) => onInput((e.target as HTMLInputElement).value)} />
      )}
      {help && <p id={helpId} class="help">{help}</p>}
    </div>
  );
}

/** The labels of the given fields, joined for a sentence. */
function fieldLabels(fields: readonly { key: string; label: string }[], keys: string[]): string {
  return keys.map((k) => `"${fields.find((f) => f.key === k)?.label ?? k}"`).join(", ");
}

/** The form to create an integration, or to edit existing. */
function IntegrationFormCard({ existing, onCancel, onSaved }: {
  existing?: Integration;
  onCancel: () => void;
  onSaved: (i: Integration, note: string) => void;
}) {
  const [form, setForm] = useState<IntegrationForm>(() => (existing ? editForm(existing) : emptyIntegrationForm()));
  // After the first submit the list follows the form as the admin fixes it.
  const [tried, setTried] = useState(false);
  const [serverError, setServerError] = useState("");
  const [busy, setBusy] = useState(false);
  const spec = kindSpec(form.kind)!;
  const problems = [...(tried ? formProblems(form, existing) : []), ...(serverError ? [serverError] : [])];

  async function submit(e: Event) {
    e.preventDefault();
    setTried(true);
    setServerError("");
    if (formProblems(form, existing).length) return;
    setBusy(true);
    try {
      if (existing) {
        const req = updateRequest(existing, form);
        if (!req) return onSaved(existing, "Nothing changed.");
        const res = await integrations.updateIntegration(req);
        onSaved(res.integration!, "Saved. The next run uses the new settings.");
      } else {
        const res = await integrations.createIntegration(createRequest(form));
        onSaved(res.integration!, "Created with automatic runs off. Test the connection, use Fetch preview to see what it would import, then enable automatic runs.");
      }
    } catch (err) {
      setServerError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form class="card integration-form" onSubmit={submit} noValidate>
      <h2>{existing ? `Edit ${existing.name}` : "New integration"}</h2>
      <div class="option-row">
        <div class="field">
          <label for="integration-kind">Source</label>
          <select id="integration-kind" value={form.kind} disabled={existing !== undefined}
            onChange={(e) => setForm({ ...emptyIntegrationForm((e.target as HTMLSelectElement).value), name: form.name })}>
            {integrationKinds.map((k) => <option key={k.kind} value={k.kind}>{k.label}</option>)}
          </select>
          <p class="help">{spec.description}</p>
        </div>
        <div class="field">
          <label for="integration-name">Name (required)</label>
          <input id="integration-name" value={form.name} onInput={(e) => setForm({ ...form, name: (e.target as HTMLInputElement).value })} />
        </div>
      </div>
      {spec.settings.length > 0 && (
        <fieldset class="plain">
          <legend>Settings</legend>
          {spec.settings.map((f) => (
            <Field key={f.key} spec={f} secret={false} value={form.settings[f.key] ?? ""}
              onInput={(v) => setForm({ ...form, settings: { ...form.settings, [f.key]: v } })} />
          ))}
        </fieldset>
      )}
      {spec.secrets.length > 0 && (
        <fieldset class="plain">
          <legend>Credentials</legend>
          <p class="help">Stored encrypted and never shown again; to change one later, enter a new value.</p>
          {existing && droppedSecrets(existing, form).length > 0 && (
            <Alert tone="warning" title="Enter the credentials again">
              Credentials are only sent to the address they were entered for. You changed{" "}
              {fieldLabels(spec.settings, changedEndpoint(existing, form))}, so the stored{" "}
              {fieldLabels(spec.secrets, droppedSecrets(existing, form))} will be dropped; enter them again here.
              Until then the integration stays paused.
            </Alert>
          )}
          {spec.secrets.map((f) => (
            <Field key={f.key} spec={f} secret={true} value={form.secrets[f.key] ?? ""} current={existing?.secrets[f.key]}
              onInput={(v) => setForm({ ...form, secrets: { ...form.secrets, [f.key]: v } })} />
          ))}
        </fieldset>
      )}
      <div class="option-row">
        <div class="field">
          <label for="integration-interval">How often</label>
          <select id="integration-interval" value={String(form.intervalSeconds)}
            onChange={(e) => setForm({ ...form, intervalSeconds: Number((e.target as HTMLSelectElement).value) })}>
            {intervalChoices.map((c) => <option key={c.seconds} value={String(c.seconds)}>{c.label}</option>)}
          </select>
        </div>
      </div>
      <div class="option">
        <input type="checkbox" id="integration-auto" checked={form.autoApply} aria-describedby="integration-auto-help"
          onChange={(e) => setForm({ ...form, autoApply: (e.target as HTMLInputElement).checked })} />
        <div>
          <label for="integration-auto">Apply changes without waiting for approval</label>
          <p id="integration-auto-help" class="help">
            Left off on purpose: every run then waits for your approval on its preview. Turn it on only once you trust what
            this source sends; the safety guard still stops unusual runs. A fetched preview never applies by itself, and
            automatic runs stay off until you enable them after a preview.
          </p>
        </div>
      </div>
      {form.kind === "bamboohr" && (
        <div class="option">
          <input type="checkbox" id="integration-photos" checked={form.showPhotos} aria-describedby="integration-photos-help"
            onChange={(e) => setForm({ ...form, showPhotos: (e.target as HTMLInputElement).checked })} />
          <div>
            <label for="integration-photos">Show BambooHR employee photos</label>
            <p id="integration-photos-help" class="help">The console shows each linked person's BambooHR photo, fetched with this integration's key and cached briefly; photos are never stored. Turn it off to show the default pictures again.</p>
          </div>
        </div>
      )}
      <OptionsFieldset values={form.options} onChange={(o) => setForm({ ...form, options: o })} showSheet={false} idPrefix="integration-opt" hireDateDefault={activateOnHireDateDefault(form.kind)} />
      {problems.length > 0 && (
        <Alert tone="error" title="Check the form">
          <ul>{problems.map((p) => <li key={p}>{p}</li>)}</ul>
        </Alert>
      )}
      <div class="actions">
        <button type="submit" class="button primary" disabled={busy}>
          {existing ? (busy ? "Saving…" : "Save changes") : busy ? "Creating…" : "Create integration"}
        </button>
        <button type="button" class="button secondary" onClick={onCancel}>Cancel</button>
      </div>
    </form>
  );
}
