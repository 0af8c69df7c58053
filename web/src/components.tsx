// Small building blocks shared by the pages.
import type { ComponentChildren } from "preact";
import { useEffect, useId, useRef } from "preact/hooks";
import type { ImportStatus, Summary } from "./gen/staffsync/v1/import_pb";
import { formatCount, statusInfo } from "./logic/format";
import { kindInfo, summaryCount, summarySegments, type KindKey } from "./logic/kinds";
import { hasNext, hasPrevious, rangeLabel, type Pager } from "./logic/paging";
import type { ChangeKind } from "./gen/staffsync/v1/import_pb";

export function StatusBadge({ status }: { status: ImportStatus }) {
  const s = statusInfo(status);
  return <span class={`badge status-${s.tone}`}>{s.label}</span>;
}

export function KindBadge({ kind }: { kind: ChangeKind }) {
  const k = kindInfo(kind);
  return <span class={`badge kind-${k.tone}`}>{k.label}</span>;
}

export function Alert(props: { tone: "error" | "warning" | "info" | "success"; title: string; children?: ComponentChildren; live?: boolean }) {
  return (
    <div class={`alert alert-${props.tone}`} role={props.live === false ? undefined : props.tone === "error" ? "alert" : "status"}>
      <strong class="alert-title">{props.title}</strong>
      {props.children && <div class="alert-body">{props.children}</div>}
    </div>
  );
}

/** The bar of kinds: each segment is a button that filters the table to its kind. */
export function SummaryBar(props: {
  summary: Summary | undefined;
  selected?: KindKey;
  warningsSelected: boolean;
  onKind: (k: KindKey) => void;
  onWarnings: () => void;
}) {
  const segments = summarySegments(props.summary);
  const warnings = summaryCount(props.summary, "warning");
  return (
    <div class="summary">
      <div class="summary-bar" role="group" aria-label="Changes by kind; choose one to filter the table">
        {segments.map((s) => (
          <button
            type="button"
            key={s.key}
            class={`segment kind-${s.tone}${props.selected === s.key ? " selected" : ""}`}
            style={{ flexGrow: s.percent, flexBasis: 0 }}
            aria-pressed={props.selected === s.key}
            title={`${s.label}: ${formatCount(s.count)}`}
            data-kind={s.key}
            onClick={() => props.onKind(s.key)}
          >
            <span class="segment-label">{s.label}</span> <span class="segment-count">{formatCount(s.count)}</span>
          </button>
        ))}
      </div>
      {warnings > 0 && (
        <button
          type="button"
          class={`chip chip-warning${props.warningsSelected ? " selected" : ""}`}
          aria-pressed={props.warningsSelected}
          data-kind="warning"
          onClick={props.onWarnings}
        >
          {formatCount(warnings)} with warnings
        </button>
      )}
    </div>
  );
}

export function PagerControls(props: {
  pager: Pager;
  pageSize: number;
  shown: number;
  total: number;
  onPrevious: () => void;
  onNext: () => void;
  label: string;
}) {
  return (
    <nav class="pager" aria-label={props.label}>
      <button type="button" class="button secondary" disabled={!hasPrevious(props.pager)} onClick={props.onPrevious}>
        Previous
      </button>
      <span aria-live="polite">{rangeLabel(props.pager, props.pageSize, props.shown, props.total)}</span>
      <button type="button" class="button secondary" disabled={!hasNext(props.pager)} onClick={props.onNext}>
        Next
      </button>
    </nav>
  );
}

/** A modal dialog built on <dialog>: focus is trapped and Escape cancels. */
export function Dialog(props: { open: boolean; title: string; onClose: () => void; children: ComponentChildren }) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (props.open && !d.open) d.showModal();
    if (!props.open && d.open) d.close();
  }, [props.open]);
  return (
    <dialog ref={ref} class="dialog" aria-labelledby={titleId} onClose={props.onClose} onCancel={props.onClose}>
      <h2 id={titleId}>{props.title}</h2>
      {props.children}
    </dialog>
  );
}

export function Spinner({ label }: { label: string }) {
  return (
    <span class="spinner-wrap" role="status">
      <span class="spinner" aria-hidden="true" />
      {label}
    </span>
  );
}

/** A progress bar: determinate when the percentage is known, else a moving stripe. */
export function ProgressBar({ label, percent }: { label: string; percent?: number }) {
  return (
    <div class="progress-panel">
      {percent === undefined ? (
        <div class="progress-indeterminate" role="progressbar" aria-label={label}><span /></div>
      ) : (
        <div class="progress-determinate" role="progressbar" aria-label={label} aria-valuemin={0} aria-valuemax={100} aria-valuenow={percent}>
          <span style={{ width: `${percent}%` }} />
        </div>
      )}
      <p role="status">{label}… This page updates by itself.</p>
    </div>
  );
}
