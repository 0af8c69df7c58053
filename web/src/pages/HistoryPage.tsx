import { useEffect, useState } from "preact/hooks";
import { imports } from "../api";
import { Alert, Spinner, StatusBadge } from "../components";
import type { Import } from "../gen/staffsync/v1/import_pb";
import { errorMessage } from "../logic/errors";
import { formatCount, formatDateTime, sourceLabel } from "../logic/format";
import { KINDS, summaryCount } from "../logic/kinds";
import { currentToken, firstPage, hasNext, hasPrevious, nextPage, previousPage, withNext, type Pager } from "../logic/paging";
import { linkClick } from "../router";

const pageSize = 50;

function Counts({ im }: { im: Import }) {
  const shown = KINDS.filter((k) => k.key !== "unchanged" && summaryCount(im.summary, k.key) > 0);
  const warnings = summaryCount(im.summary, "warning");
  if (shown.length === 0 && warnings === 0) return <span class="muted">no changes</span>;
  return (
    <ul class="counts">
      {shown.map((k) => (
        <li key={k.key} class={`count kind-${k.tone}`}>{formatCount(summaryCount(im.summary, k.key))} {k.label.toLowerCase()}</li>
      ))}
      {warnings > 0 && <li class="count chip-warning">{formatCount(warnings)} warnings</li>}
    </ul>
  );
}

export function HistoryPage() {
  const [pager, setPager] = useState<Pager>(firstPage);
  const [rows, setRows] = useState<Import[]>();
  const [error, setError] = useState("");
  const token = currentToken(pager);

  useEffect(() => {
    let live = true;
    imports
      .listImports({ pageSize, pageToken: token })
      .then((res) => {
        if (!live) return;
        setRows(res.imports);
        setPager((p) => withNext(p, res.nextPageToken));
        setError("");
      })
      .catch((err) => live && setError(errorMessage(err)));
    return () => void (live = false);
  }, [token]);

  return (
    <section>
      <div class="page-head">
        <h1 tabIndex={-1}>Import history</h1>
        <a class="button primary" href="/import" onClick={linkClick}>New import</a>
      </div>
      {error && <Alert tone="error" title={error} />}
      {!rows && !error && <Spinner label="Loading imports…" />}
      {rows && rows.length === 0 && <p>No imports yet. Start with <a href="/import" onClick={linkClick}>an upload</a>.</p>}
      {rows && rows.length > 0 && (
        <table class="history">
          <caption class="visually-hidden">Imports, newest first</caption>
          <thead>
            <tr>
              <th scope="col">Import</th>
              <th scope="col">Source</th>
              <th scope="col">Started by</th>
              <th scope="col">When</th>
              <th scope="col">Changes</th>
              <th scope="col">Status</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((im) => (
              <tr key={im.id}>
                <td><a href={`/imports/${im.id}`} onClick={linkClick}>{im.fileName || `Import ${im.id}`}</a></td>
                <td>{sourceLabel(im.source)}</td>
                <td>{im.createdBy}</td>
                <td class="nowrap">{formatDateTime(im.createdAt)}</td>
                <td><Counts im={im} /></td>
                <td><StatusBadge status={im.status} /></td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {rows && (hasPrevious(pager) || hasNext(pager)) && (
        <nav class="pager" aria-label="Pages of imports">
          <button type="button" class="button secondary" disabled={!hasPrevious(pager)} onClick={() => setPager(previousPage(pager))}>Newer</button>
          <span>Page {pager.index + 1}</span>
          <button type="button" class="button secondary" disabled={!hasNext(pager)} onClick={() => setPager(nextPage(pager))}>Older</button>
        </nav>
      )}
    </section>
  );
}
