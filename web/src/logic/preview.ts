// View logic of the preview page: filter to request, the confirmation text, what can be decided.
import { create } from "@bufbuild/protobuf";
import {
  ImportStatus,
  ListChangesRequestSchema,
  type Import,
  type ListChangesRequest,
  type Summary,
} from "../gen/staffsync/v1/import_pb";
import { kindByKey, summaryCount, type KindKey } from "./kinds";
import { formatCount, formatDateTime, joinWords, people } from "./format";

export interface ChangeFilter {
  kind?: KindKey;
  warningsOnly: boolean;
  search: string;
}

export const noFilter: ChangeFilter = { warningsOnly: false, search: "" };

/** Clicking a segment selects its kind; clicking the selected one shows everything again. */
export function toggleKind(f: ChangeFilter, kind: KindKey): ChangeFilter {
  return { ...f, kind: f.kind === kind ? undefined : kind, warningsOnly: false };
}

export function toggleWarnings(f: ChangeFilter): ChangeFilter {
  return { ...f, warningsOnly: !f.warningsOnly, kind: undefined };
}

export function changesRequest(importId: string, f: ChangeFilter, pageToken: string, pageSize: number): ListChangesRequest {
  return create(ListChangesRequestSchema, {
    importId,
    kinds: f.kind ? [kindByKey(f.kind).kind] : [],
    hasWarnings: f.warningsOnly,
    search: f.search.trim(),
    pageSize,
    pageToken,
  });
}

/** What the table shows, in words, for the screen reader and the caption. */
export function filterDescription(f: ChangeFilter): string {
  const parts: string[] = [];
  if (f.kind) parts.push(kindByKey(f.kind).label.toLowerCase());
  if (f.warningsOnly) parts.push("with warnings");
  if (f.search.trim()) parts.push(`matching "${f.search.trim()}"`);
  return parts.length === 0 ? "All changes" : `Changes: ${parts.join(", ")}`;
}

/** The confirmation before applying: it repeats the counts the admin is approving. */
export function approvalLines(summary: Summary | undefined): string[] {
  const n = (k: KindKey) => summaryCount(summary, k);
  const effects: string[] = [];
  if (n("new")) effects.push(`add ${people(n("new"))}`);
  if (n("updated")) effects.push(`update ${people(n("updated"))}`);
  if (n("reactivated")) effects.push(`reactivate ${people(n("reactivated"))}`);
  if (n("deactivated")) effects.push(`deactivate ${people(n("deactivated"))}`);
  const lines = [effects.length ? `This will ${joinWords(effects)}.` : "This import changes nobody."];
  if (n("error")) {
    lines.push(`${formatCount(n("error"))} ${n("error") === 1 ? "row has" : "rows have"} errors and will be skipped.`);
  }
  if (n("unchanged")) lines.push(`${people(n("unchanged"))} ${n("unchanged") === 1 ? "stays" : "stay"} unchanged.`);
  return lines;
}

/** When an import awaiting a decision expires; empty when the server did not say. */
export function approvalDeadline(im: Import): string {
  if (im.status !== ImportStatus.AWAITING_APPROVAL || !im.approvalExpiresAt) return "";
  return `Decide by ${formatDateTime(im.approvalExpiresAt)}: after that the import expires and nothing is changed.`;
}

/** The result of an applied import, in the past tense. */
export function appliedLines(summary: Summary | undefined): string[] {
  const n = (k: KindKey) => summaryCount(summary, k);
  const effects: string[] = [];
  if (n("new")) effects.push(`added ${people(n("new"))}`);
  if (n("updated")) effects.push(`updated ${people(n("updated"))}`);
  if (n("reactivated")) effects.push(`reactivated ${people(n("reactivated"))}`);
  if (n("deactivated")) effects.push(`deactivated ${people(n("deactivated"))}`);
  const lines = [effects.length ? `staffsync ${joinWords(effects)}.` : "Nobody changed."];
  if (n("error")) lines.push(`${formatCount(n("error"))} ${n("error") === 1 ? "row was" : "rows were"} skipped because of errors.`);
  return lines;
}

/** Approve and Reject are offered only while the import waits for a decision. */
export function canDecide(im: Import | undefined): boolean {
  return im?.status === ImportStatus.AWAITING_APPROVAL;
}

/** The preview table is worth showing once the preview exists. */
export function hasPreview(im: Import | undefined): boolean {
  if (!im) return false;
  switch (im.status) {
    case ImportStatus.AWAITING_APPROVAL:
    case ImportStatus.APPLYING:
    case ImportStatus.APPLIED:
    case ImportStatus.REJECTED:
    case ImportStatus.EXPIRED:
      return true;
    case ImportStatus.FAILED:
      return im.previewVersion > 0n;
    default:
      return false;
  }
}

