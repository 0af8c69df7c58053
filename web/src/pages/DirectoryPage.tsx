import { useEffect, useState } from "preact/hooks";
import { directory, downloadBytes } from "../api";
import { Alert, PagerControls, Spinner } from "../components";
import { StatusDialog } from "../StatusDialog";
import { PersonStatusFilter, type Person } from "../gen/staffsync/v1/directory_pb";
import { FileFormat } from "../gen/staffsync/v1/import_pb";
import { errorMessage } from "../logic/errors";
import { formatCount, people } from "../logic/format";
import { currentToken, firstPage, nextPage, previousPage, withNext, type Pager } from "../logic/paging";
import { linkClick } from "../router";
import { displayName, emptyPeopleFilter, peopleRequest, type PeopleFilter } from "../logic/people";
import { pendingNote, personStatus, statusAction } from "../logic/trust";

const pageSize = 100;

export function DirectoryPage() {
  const [filter, setFilter] = useState<PeopleFilter>(emptyPeopleFilter);
  const [typed, setTyped] = useState<PeopleFilter>(emptyPeopleFilter);
  const [pager, setPager] = useState<Pager>(firstPage);
  const [rows, setRows] = useState<Person[]>();
  const [total, setTotal] = useState(0);
  const [billable, setBillable] = useState<number>();
  const [pending, setPending] = useState(0);
  const [error, setError] = useState("");
  const [exporting, setExporting] = useState(false);
  const [statusTarget, setStatusTarget] = useState<Person>();
  const [notice, setNotice] = useState("");
  const [reload, setReload] = useState(0);
  const token = currentToken(pager);

  // Text filters apply a moment after typing stops.
  useEffect(() => {
    const t = setTimeout(() => {
      if (JSON.stringify(typed) !== JSON.stringify(filter)) {
        setFilter(typed);
        setPager(firstPage());
      }
    }, 250);
    return () => clearTimeout(t);
  }, [typed]);

  useEffect(() => {
    let live = true;
    directory
      .listPeople(peopleRequest(filter, token, pageSize))
      .then((res) => {
        if (!live) return;
        setRows(res.people);
        setTotal(Number(res.total));
        setBillable(Number(res.billableCount));
        setPending(Number(res.pendingCount));
        setPager((p) => withNext(p, res.nextPageToken));
        setError("");
      })
      .catch((err) => live && setError(errorMessage(err)));
    return () => void (live = false);
  }, [filter, token, reload]);

  async function exportAs(format: FileFormat) {
    setExporting(true);
    try {
      const res = await directory.exportDirectory({ format });
      downloadBytes(res.fileName, res.contentType, res.content);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setExporting(false);
    }
  }

  const set = (patch: Partial<PeopleFilter>) => setTyped({ ...typed, ...patch });

  return (
    <section>
      <div class="page-head">
        <div>
          <h1 tabIndex={-1}>Directory</h1>
          {billable !== undefined && (
            <p class="meta" data-testid="billable">
              <strong>{formatCount(billable)}</strong> billable (active {billable === 1 ? "person" : "people"}){pendingNote(pending)}
            </p>
          )}
        </div>
        <div class="template-links">
          <span>Export everyone:</span>
          <button type="button" class="button secondary" disabled={exporting} onClick={() => exportAs(FileFormat.CSV)}>CSV</button>
          <button type="button" class="button secondary" disabled={exporting} onClick={() => exportAs(FileFormat.XLSX)}>XLSX</button>
        </div>
      </div>
      <form class="filters card" role="search" onSubmit={(e) => e.preventDefault()}>
        <div class="field">
          <label for="people-status">Status</label>
          <select id="people-status" value={typed.status} onChange={(e) => set({ status: Number((e.target as HTMLSelectElement).value) as PersonStatusFilter })}>
            <option value={PersonStatusFilter.ACTIVE}>Active</option>
            <option value={PersonStatusFilter.DEACTIVATED}>Deactivated</option>
            <option value={PersonStatusFilter.PENDING}>Pending (not started yet)</option>
            <option value={PersonStatusFilter.ALL}>Everyone</option>
          </select>
        </div>
        <div class="field">
          <label for="people-search">Name or email</label>
          <input id="people-search" type="search" value={typed.search} onInput={(e) => set({ search: (e.target as HTMLInputElement).value })} />
        </div>
        <div class="field">
          <label for="people-department">Department</label>
          <input id="people-department" value={typed.department} onInput={(e) => set({ department: (e.target as HTMLInputElement).value })} />
        </div>
        <div class="field">
          <label for="people-location">Location</label>
          <input id="people-location" value={typed.location} onInput={(e) => set({ location: (e.target as HTMLInputElement).value })} />
        </div>
      </form>
      {error && <Alert tone="error" title={error} />}
      {notice && <Alert tone="success" title={notice} />}
      {!rows && !error && <Spinner label="Loading people…" />}
      {rows && (
        <>
          <p class="meta" aria-live="polite">{people(total)} match.</p>
          <table class="people">
            <caption class="visually-hidden">People</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Email</th>
                <th scope="col">Title</th>
                <th scope="col">Department</th>
                <th scope="col">Team</th>
                <th scope="col">Location</th>
                <th scope="col">Manager</th>
                <th scope="col">Status</th>
                <th scope="col"><span class="visually-hidden">Actions</span></th>
              </tr>
            </thead>
            <tbody>
              {rows.length === 0 && <tr><td colSpan={9} class="empty">Nobody matches these filters.</td></tr>}
              {rows.map((p) => (
                <tr key={p.id}>
                  <td><a href={`/people/${p.id}`} onClick={linkClick}>{displayName(p)}</a></td>
                  <td class="email">{p.email}</td>
                  <td>{p.title}</td>
                  <td>{p.department}</td>
                  <td>{p.team}</td>
                  <td>{p.location}</td>
                  <td class="email">{p.managerEmail}</td>
                  <td><span class={`badge status-${personStatus(p).tone}`}>{personStatus(p).text}</span></td>
                  <td>
                    <button type="button" class="button secondary small needs-admin" onClick={() => setStatusTarget(p)}
                      aria-label={`${statusAction(p)} ${displayName(p)}`}>
                      {statusAction(p)}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <PagerControls label="Pages of people" pager={pager} pageSize={pageSize} shown={rows.length} total={total}
            onPrevious={() => setPager(previousPage(pager))} onNext={() => setPager(nextPage(pager))} />
        </>
      )}
      <StatusDialog
        person={statusTarget}
        onClose={() => setStatusTarget(undefined)}
        onChanged={(text) => {
          setNotice(text);
          setStatusTarget(undefined);
          setReload((n) => n + 1);
        }}
      />
    </section>
  );
}
