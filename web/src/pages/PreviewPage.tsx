import { useEffect, useState } from "preact/hooks";
import { imports } from "../api";
import { ChangeList } from "../ChangeList";
import { ImportHints, ImportOptionsNote } from "../PreviewExtras";
import { RevertDialog } from "../RevertDialog";
import { Alert, Dialog, ProgressBar, Spinner, StatusBadge, SummaryBar } from "../components";
import { ImportStatus, type Import } from "../gen/staffsync/v1/import_pb";
import { blankCellsNote } from "../logic/changeView";
import { errorMessage } from "../logic/errors";
import { formatCount, formatDateTime, importSteps, sourceLabel, statusInfo, stepStates } from "../logic/format";
import { importProgress } from "../logic/progress";
import { changedFromDefaults } from "../logic/options";
import {
  appliedLines,
  approvalDeadline,
  approvalLines,
  canDecide,
  hasPreview,
  noFilter,
  toggleKind,
  toggleWarnings,
  type ChangeFilter,
} from "../logic/preview";
import type { PageProps } from ".";
import { navigate } from "../router";
import { pendingLines } from "../logic/trust";
import { DiagnosisSection } from "./DiagnosisSection";
import { can } from "../logic/roles";
import { useMe } from "../role";

/** Follows the import live: WatchImport streams every change; if the stream breaks, poll. */
function useLiveImport(importId: string) {
  const [im, setIm] = useState<Import>();
  const [error, setError] = useState("");
  const [generation, setGeneration] = useState(0);
  useEffect(() => {
    const abort = new AbortController();
    let stopped = false;
    (async () => {
      try {
        const first = await imports.getImport({ importId }, { signal: abort.signal });
        setIm(first.import);
        setError("");
        if (statusInfo(first.import!.status).final) return;
        while (!stopped) {
          try {
            for await (const res of imports.watchImport({ importId }, { signal: abort.signal })) {
              setIm(res.import);
            }
            // The stream ends when the import reaches a final status.
            const last = await imports.getImport({ importId }, { signal: abort.signal });
            setIm(last.import);
            if (statusInfo(last.import!.status).final) return;
          } catch (err) {
            if (stopped) return;
            await new Promise((r) => setTimeout(r, 1000));
          }
        }
      } catch (err) {
        if (!stopped) setError(errorMessage(err));
      }
    })();
    return () => {
      stopped = true;
      abort.abort();
    };
  }, [importId, generation]);
  return { im, setIm, error, refollow: () => setGeneration((g) => g + 1) };
}

export function PreviewPage({ route }: PageProps) {
  const me = useMe();
  const importId = route.page === "preview" ? route.importId : "";
  const { im, setIm, error, refollow } = useLiveImport(importId);
  const [filter, setFilter] = useState<ChangeFilter>(noFilter);
  const [searchText, setSearchText] = useState("");
  const [dialog, setDialog] = useState<"" | "approve" | "reject" | "revert">("");
  const [rejectReason, setRejectReason] = useState("");
  const [actionError, setActionError] = useState("");
  const [acting, setActing] = useState(false);

  const previewReady = hasPreview(im);
  const previewVersion = im?.previewVersion ?? 0n;

  // Search is debounced so typing does not fire a request per key.
  useEffect(() => {
    const t = setTimeout(() => {
      if (searchText !== filter.search) {
        setFilter({ ...filter, search: searchText });
      }
    }, 250);
    return () => clearTimeout(t);
  }, [searchText]);

  function changeFilter(f: ChangeFilter) {
    setFilter(f);
  }

  async function decide(action: "approve" | "reject") {
    if (!im) return;
    setActing(true);
    setActionError("");
    try {
      if (action === "approve") {
        const res = await imports.approveImport({ importId, previewVersion: im.previewVersion });
        setIm(res.import);
      } else {
        const res = await imports.rejectImport({ importId, reason: rejectReason.trim() });
        setIm(res.import);
      }
      setDialog("");
      refollow();
    } catch (err) {
      setActionError(errorMessage(err));
    } finally {
      setActing(false);
    }
  }

  if (error) {
    return (
      <section>
        <h1 tabIndex={-1}>Import {importId}</h1>
        <Alert tone="error" title={error} />
      </section>
    );
  }
  if (!im) {
    return (
      <section>
        <h1 tabIndex={-1}>Import {importId}</h1>
        <Spinner label="Loading the import…" />
      </section>
    );
  }

  const status = statusInfo(im.status);
  const steps = stepStates(im.status);
  const working = im.status === ImportStatus.PARSING || im.status === ImportStatus.PREVIEWING;
  const nonDefault = changedFromDefaults(im.options);

  return (
    <section class="preview-page">
      <div class="page-head">
        <div>
          <h1 tabIndex={-1}>{im.fileName || `Import ${im.id}`}</h1>
          <p class="meta">
            {sourceLabel(im.source)} · started by {im.createdBy || "unknown"} on {formatDateTime(im.createdAt)}
            {im.rowsTotal > 0n && <> · {formatCount(im.rowsTotal)} rows</>}
          </p>
          {nonDefault.length > 0 && <p class="meta">Options changed from the defaults: {nonDefault.join("; ")}</p>}
          <ImportOptionsNote im={im} />
        </div>
        <div class="status-line" aria-live="polite">
          <StatusBadge status={im.status} />
        </div>
      </div>

      <ol class="steps" aria-label="Import progress">
        {importSteps.map((s, i) => (
          <li key={s.label} class={`step step-${steps[i]}`} aria-current={steps[i] === "current" ? "step" : undefined}>
            {s.label}
          </li>
        ))}
      </ol>

      {working && <ProgressBar {...importProgress(im, status.label)} />}

      {im.status === ImportStatus.FAILED && (
        <Alert tone="error" title="The file could not be imported. Nothing was changed.">
          <p class="file-error">{im.errorMessage || "The import failed."}</p>
          <p>
            Fix the file and <a href="/import" onClick={(e) => { e.preventDefault(); navigate("/import"); }}>upload it again</a>.
          </p>
        </Alert>
      )}

      {im.fileWarnings.length > 0 && (
        <Alert tone="warning" title="Notes about the file" live={false}>
          <ul>{im.fileWarnings.map((w, i) => <li key={i}>{w}</li>)}</ul>
        </Alert>
      )}

      {im.guardTripped && (
        <Alert tone="warning" title="Safety guard: this import changes more people than usual.">
          <p>{im.guardReason}</p>
          <p>Check the changes carefully before you approve; scheduled syncs wait for a person in this case.</p>
        </Alert>
      )}

      {im.status === ImportStatus.APPLYING && <ProgressBar {...importProgress(im, "Applying changes")} />}
      {im.status === ImportStatus.APPLIED && can(me.role, "admin") && (
        <Alert tone="success" title="Applied: the directory now matches the approved preview.">
          <p>
            Approved by {im.decidedBy || "an admin"} on {formatDateTime(im.decidedAt)}. {[...appliedLines(im.summary), ...pendingLines(im.summary, true)].join(" ")}
          </p>
        </Alert>
      )}
      {im.status === ImportStatus.REJECTED && (
        <Alert tone="info" title="Rejected: nothing was changed.">
          <p>
            Rejected by {im.decidedBy || "an admin"} on {formatDateTime(im.decidedAt)}
            {im.rejectReason ? `: ${im.rejectReason}` : "."}
          </p>
        </Alert>
      )}
      {im.status === ImportStatus.EXPIRED && (
        <Alert tone="info" title="Expired: nobody approved this import in time, so nothing was changed." />
      )}

      {actionError && <Alert tone="error" title={actionError} />}

      {canDecide(im) && can(me.role, "admin") && (
        <div class="decision card">
          <p>
            <strong>Review the changes below.</strong> {[...approvalLines(im.summary), ...pendingLines(im.summary, false)].join(" ")}
          </p>
          {approvalDeadline(im) && <p class="muted">{approvalDeadline(im)}</p>}
          <div class="actions">
            <button type="button" class="button primary" onClick={() => setDialog("approve")}>Approve…</button>
            <button type="button" class="button danger-outline" onClick={() => setDialog("reject")}>Reject…</button>
          </div>
        </div>
      )}
      {im.status === ImportStatus.APPLIED && can(me.role, "admin") && (
        <div class="actions">
          <button type="button" class="button secondary" onClick={() => setDialog("revert")}>Revert this import…</button>
        </div>
      )}

      {previewReady && <ImportHints im={im} />}

      {previewReady && (
        <>
          <h2>Changes</h2>
          <SummaryBar
            summary={im.summary}
            selected={filter.kind}
            warningsSelected={filter.warningsOnly}
            onKind={(k) => changeFilter(toggleKind(filter, k))}
            onWarnings={() => changeFilter(toggleWarnings(filter))}
          />
          <div class="table-tools">
            <div class="field inline">
              <label for="change-search">Search name or email</label>
              <input id="change-search" type="search" value={searchText}
                onInput={(e) => setSearchText((e.target as HTMLInputElement).value)} />
            </div>
            {(filter.kind || filter.warningsOnly || filter.search) && (
              <button type="button" class="button link" onClick={() => { setSearchText(""); changeFilter(noFilter); }}>
                Show all changes
              </button>
            )}
          </div>
          {blankCellsNote(im) && <p class="note blank-note">{blankCellsNote(im)}</p>}
          <ChangeList importId={importId} previewVersion={previewVersion} filter={filter} summary={im.summary} />
          <DiagnosisSection importId={importId} previewVersion={previewVersion} />
        </>
      )}

      <Dialog open={dialog === "approve"} title="Apply this import?" onClose={() => setDialog("")}>
        {approvalLines(im.summary).map((l, i) => <p key={i}>{l}</p>)}
        {im.guardTripped && <p class="warning-text">The safety guard tripped: {im.guardReason}</p>}
        <p>All changes are applied together, or none if something goes wrong.</p>
        {actionError && <Alert tone="error" title={actionError} />}
        <div class="actions">
          <button type="button" class="button primary" disabled={acting} onClick={() => decide("approve")}>
            {acting ? "Applying…" : "Apply changes"}
          </button>
          <button type="button" class="button secondary" onClick={() => setDialog("")}>Cancel</button>
        </div>
      </Dialog>
      <Dialog open={dialog === "reject"} title="Reject this import?" onClose={() => setDialog("")}>
        <p>Nothing in the directory changes. You can upload a corrected file afterwards.</p>
        <div class="field">
          <label for="reject-reason">Reason (optional, kept in the history)</label>
          <input id="reject-reason" value={rejectReason} onInput={(e) => setRejectReason((e.target as HTMLInputElement).value)} />
        </div>
        {actionError && <Alert tone="error" title={actionError} />}
        <div class="actions">
          <button type="button" class="button danger" disabled={acting} onClick={() => decide("reject")}>Reject import</button>
          <button type="button" class="button secondary" onClick={() => setDialog("")}>Cancel</button>
        </div>
      </Dialog>
      <RevertDialog importId={importId} open={dialog === "revert"} onClose={() => { setDialog(""); refollow(); }} />
    </section>
  );
}
