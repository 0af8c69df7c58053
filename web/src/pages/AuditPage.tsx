import { useEffect, useState } from "preact/hooks";
import { access } from "../api";
import { Alert, Spinner } from "../components";
import type { AuditEvent } from "../gen/staffsync/v1/access_pb";
import { errorMessage } from "../logic/errors";
import { formatDateTime } from "../logic/format";

const pageSize = 100;

/** The audit log: who changed what, when and from where, newest first, with filters. */
export function AuditPage() {
  const [actor, setActor] = useState("");
  const [action, setAction] = useState("");
  const [object, setObject] = useState("");
  const [since, setSince] = useState("");
  const [events, setEvents] = useState<AuditEvent[]>();
  const [more, setMore] = useState(false);
  const [error, setError] = useState("");

  async function load(beforeId = "") {
    setError("");
    try {
      const r = await access.listAuditEvents({
        actor, action, object, beforeId, limit: pageSize,
        since: since ? { seconds: BigInt(Date.parse(since) / 1000), nanos: 0 } : undefined,
      });
      setEvents(beforeId ? [...(events ?? []), ...r.events] : r.events);
      setMore(r.events.length === pageSize);
    } catch (err) {
      setError(errorMessage(err));
    }
  }
  useEffect(() => void load(), []);

  return (
    <section>
      <h1 tabIndex={-1}>Audit log</h1>
      <form class="filters" onSubmit={(e) => { e.preventDefault(); void load(); }}>
        <label>Actor <input name="actor" value={actor} onInput={(e) => setActor((e.target as HTMLInputElement).value)} /></label>
        <label>Action <input name="action" value={action} placeholder="UpdateIntegration" onInput={(e) => setAction((e.target as HTMLInputElement).value)} /></label>
        <label>Object <input name="object" value={object} placeholder="integration_id=3" onInput={(e) => setObject((e.target as HTMLInputElement).value)} /></label>
        <label>Since <input name="since" type="date" value={since} onInput={(e) => setSince((e.target as HTMLInputElement).value)} /></label>
        <button type="submit" class="button secondary">Filter</button>
      </form>
      {error && <Alert tone="error" title={error} />}
      {!events && !error && <Spinner label="Loading the audit log" />}
      {events && events.length === 0 && <p class="muted">No changes match.</p>}
      {events && events.length > 0 && (
        <table class="table audit">
          <thead>
            <tr><th>Time</th><th>Actor</th><th>Role</th><th>From</th><th>Action</th><th>Object</th><th>Outcome</th></tr>
          </thead>
          <tbody>
            {events.map((e) => (
              <tr key={e.id} title={e.detailJson}>
                <td>{formatDateTime(e.at)}</td>
                <td>{e.actor}</td>
                <td>{e.role}</td>
                <td>{e.clientAddress}</td>
                <td>{e.action}</td>
                <td>{e.object}</td>
                <td>{e.outcome}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {more && events && <button type="button" class="button secondary" onClick={() => load(events[events.length - 1].id)}>Older</button>}
    </section>
  );
}
