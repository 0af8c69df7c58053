import { useEffect, useState } from "preact/hooks";
import { directory, downloadBytes } from "../api";
import { Alert, PagerControls, Spinner } from "../components";
import { AddPersonForm } from "../AddPersonForm";
import { Avatar } from "../Avatar";
import { BulkBar, BulkDialog, bulkActions, InviteEveryoneDialog, sendWelcome } from "../DirectoryBulk";
import { FacetFilter } from "../FacetFilter";
import { RowMenu } from "../RowMenu";
import { StatusDialog } from "../StatusDialog";
import { useFacets } from "../useFacets";
import { PersonName } from "../PersonName";
import { usePeopleNames } from "../usePeopleNames";
import { PersonStatusFilter, type Person } from "../gen/staffsync/v1/directory_pb";
import { FileFormat } from "../gen/staffsync/v1/import_pb";
import { errorMessage } from "../logic/errors";
import { passwordNotice } from "../logic/mails";
import { formatCount, people } from "../logic/format";
import { currentToken, firstPage, nextPage, previousPage, withNext, type Pager } from "../logic/paging";
import { linkClick, navigate } from "../router";
import { displayName, emptyPeopleFilter, peopleRequest, type PeopleFilter } from "../logic/people";
import { pendingNote, personStatus, statusAction } from "../logic/trust";
import { clickRow, headerState, noSelection, toggleAll, type BulkAction, type RowSelection } from "../logic/selection";

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
  const [selection, setSelection] = useState<RowSelection>(noSelection);
  // Selected people by id, so a selection survives paging and filtering.
  const [picked, setPicked] = useState<Map<string, Person>>(new Map());
  const [bulk, setBulk] = useState<BulkAction>();
  const [adding, setAdding] = useState(false);
  const [inviting, setInviting] = useState(false);
  const facets = useFacets(reload);
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
  const pageIds = rows?.map((p) => p.id) ?? [];
  const pageState = headerState(selection, pageIds);
  const names = usePeopleNames(rows);
  const selectedPeople = [...picked.values()].filter((p) => selection.selected.has(p.id));

  function remember(next: RowSelection) {
    const known = new Map(picked);
    for (const p of rows ?? []) known.set(p.id, p);
    for (const id of known.keys()) if (!next.selected.has(id)) known.delete(id);
    setSelection(next);
    setPicked(known);
  }

  function selectRow(p: Person, e: MouseEvent) {
    remember(clickRow(selection, pageIds, p.id, (e.currentTarget as HTMLInputElement).checked, e.shiftKey));
  }

  function selectPage() {
    remember(toggleAll(selection, pageIds));
  }

  async function sendPassword(p: Person) {
    setNotice("");
    try {
      setNotice(passwordNotice(displayName(p), await directory.sendPasswordEmails({ people: [p.email] })));
      setError("");
    } catch (err) {
      setError(errorMessage(err));
    }
  }

  function clearSelection() {
    setSelection(noSelection);
    setPicked(new Map());
  }

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
          <button type="button" class="button primary" onClick={() => { setNotice(""); setAdding(true); }} disabled={adding}>+ Add person</button>
          <button type="button" class="button secondary" onClick={() => { setNotice(""); setInviting(true); }}>Send welcome mails…</button>
          <span>Export everyone:</span>
          <button type="button" class="button secondary" disabled={exporting} onClick={() => exportAs(FileFormat.CSV)}>CSV</button>
          <button type="button" class="button secondary" disabled={exporting} onClick={() => exportAs(FileFormat.XLSX)}>XLSX</button>
        </div>
      </div>
      {adding && (
        <AddPersonForm facets={facets} onCancel={() => setAdding(false)} onAdded={(_, text) => {
          setAdding(false);
          setNotice(text);
          setReload((n) => n + 1);
        }} />
      )}
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
        <FacetFilter id="people-department" label="Department" all="All departments" values={facets.department} complete={facets.complete}
          value={typed.department} onChange={(v) => set({ department: v })} />
        <FacetFilter id="people-location" label="Location" all="All locations" values={facets.location} complete={facets.complete}
          value={typed.location} onChange={(v) => set({ location: v })} />
      </form>
      {error && <Alert tone="error" title={error} />}
      {notice && <Alert tone="success" title={notice} />}
      <BulkBar selected={selectedPeople} actions={bulkActions} onAction={setBulk} onClear={clearSelection} />
      {!rows && !error && <Spinner label="Loading people…" />}
      {rows && (
        <>
          <p class="meta" aria-live="polite">{people(total)} match.</p>
          <table class="people">
            <caption class="visually-hidden">People</caption>
            <thead>
              <tr>
                <th scope="col" class="col-select">
                  <input type="checkbox" aria-label="Select everyone on this page" checked={pageState === "all"}
                    ref={(el) => { if (el) el.indeterminate = pageState === "some"; }} onChange={selectPage} />
                </th>
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
              {rows.length === 0 && <tr><td colSpan={10} class="empty">Nobody matches these filters.</td></tr>}
              {rows.map((p) => (
                <tr key={p.id} class={selection.selected.has(p.id) ? "selected" : undefined}>
                  <td class="col-select">
                    <input type="checkbox" aria-label={`Select ${displayName(p)}`} checked={selection.selected.has(p.id)}
                      onClick={(e) => selectRow(p, e as MouseEvent)} />
                  </td>
                  <td><span class="name-cell"><Avatar name={displayName(p)} photoUrl={p.photoUrl} /><a href={`/people/${p.id}`} onClick={linkClick}>{displayName(p)}</a></span></td>
                  <td class="email">{p.email}</td>
                  <td>{p.title}</td>
                  <td>{p.department}</td>
                  <td>{p.team}</td>
                  <td>{p.location}</td>
                  <td>{p.managerEmail && <PersonName email={p.managerEmail} book={names} />}</td>
                  <td>
                    <span class={`badge status-${personStatus(p).tone}`}>{personStatus(p).text}</span>
                    {p.active && !p.invited && <span class="not-invited">not invited yet</span>}
                  </td>
                  <td class="needs-admin">
                    <RowMenu label={`Actions for ${displayName(p)}`} items={[
                      { label: "Edit profile", onSelect: () => navigate(`/people/${p.id}`) },
                      { label: "Send password mail", onSelect: () => sendPassword(p), disabled: !p.active },
                      { label: `${statusAction(p)}…`, onSelect: () => setStatusTarget(p), danger: p.active },
                    ]} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <PagerControls label="Pages of people" pager={pager} pageSize={pageSize} shown={rows.length} total={total}
            onPrevious={() => setPager(previousPage(pager))} onNext={() => setPager(nextPage(pager))} />
        </>
      )}
      <InviteEveryoneDialog open={inviting} onClose={() => setInviting(false)} onDone={(text) => {
        setInviting(false);
        setNotice(text);
        setReload((n) => n + 1);
      }} />
      <BulkDialog
        send={sendWelcome}
        action={bulk}
        selected={selectedPeople}
        onClose={() => setBulk(undefined)}
        onDone={(text) => {
          setBulk(undefined);
          setNotice(text);
          clearSelection();
          setReload((n) => n + 1);
        }}
      />
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
