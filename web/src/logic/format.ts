// Formatting shared by the pages: counts, dates, statuses.
import { timestampDate, type Timestamp } from "@bufbuild/protobuf/wkt";
import { ImportStatus } from "../gen/staffsync/v1/import_pb";

const countFormat = new Intl.NumberFormat("en-US");

export function formatCount(n: number | bigint): string {
  return countFormat.format(n);
}

/** "3 people", "1 person". */
export function people(n: number | bigint): string {
  return `${formatCount(n)} ${Number(n) === 1 ? "person" : "people"}`;
}

function pad(n: number): string {
  return n < 10 ? `0${n}` : `${n}`;
}

/** Local date and time as "2026-03-01 14:05": unambiguous in every locale. */
export function formatDateTime(ts: Timestamp | Date | undefined): string {
  if (!ts) return "";
  const d = ts instanceof Date ? ts : timestampDate(ts);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

export interface StatusInfo {
  label: string;
  tone: "progress" | "waiting" | "good" | "neutral" | "bad";
  /** The import will not change any more. */
  final: boolean;
}

const statuses: Record<ImportStatus, StatusInfo> = {
  [ImportStatus.UNSPECIFIED]: { label: "Unknown", tone: "neutral", final: false },
  [ImportStatus.PARSING]: { label: "Reading the file", tone: "progress", final: false },
  [ImportStatus.PREVIEWING]: { label: "Computing the preview", tone: "progress", final: false },
  [ImportStatus.AWAITING_APPROVAL]: { label: "Awaiting approval", tone: "waiting", final: false },
  [ImportStatus.APPLYING]: { label: "Applying", tone: "progress", final: false },
  [ImportStatus.APPLIED]: { label: "Applied", tone: "good", final: true },
  [ImportStatus.REJECTED]: { label: "Rejected", tone: "neutral", final: true },
  [ImportStatus.EXPIRED]: { label: "Expired", tone: "neutral", final: true },
  [ImportStatus.FAILED]: { label: "Failed", tone: "bad", final: true },
};

export function statusInfo(status: ImportStatus): StatusInfo {
  return statuses[status] ?? statuses[ImportStatus.UNSPECIFIED];
}

/** The steps an import goes through, for the progress indicator. */
export const importSteps: readonly { status: ImportStatus; label: string }[] = [
  { status: ImportStatus.PARSING, label: "Read file" },
  { status: ImportStatus.PREVIEWING, label: "Compute preview" },
  { status: ImportStatus.AWAITING_APPROVAL, label: "Review and approve" },
  { status: ImportStatus.APPLYING, label: "Apply" },
  { status: ImportStatus.APPLIED, label: "Done" },
];

export type StepState = "done" | "current" | "todo";

/** Where each step stands for an import in the given status. */
export function stepStates(status: ImportStatus): StepState[] {
  const order = importSteps.map((s) => s.status);
  const at = order.indexOf(status);
  if (at < 0) {
    // Rejected, expired or failed: nothing is current any more.
    return order.map(() => "todo");
  }
  return order.map((_, i) => (i < at ? "done" : i === at ? (status === ImportStatus.APPLIED ? "done" : "current") : "todo"));
}

const sourceLabels: Record<string, string> = {
  upload: "File upload",
  revert: "Revert",
  sftp: "SFTP",
  https_file: "HTTPS file",
  bamboohr: "BambooHR",
  personio: "Personio",
};

export function sourceLabel(source: string): string {
  return sourceLabels[source] ?? source;
}

/** "a", "a and b", "a, b and c". */
export function joinWords(items: string[]): string {
  if (items.length <= 1) return items.join("");
  return `${items.slice(0, -1).join(", ")} and ${items[items.length - 1]}`;
}
