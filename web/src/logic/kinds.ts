// The kinds of the preview (import-rules.md section 6) and how the console shows them.
import { ChangeKind, type Summary } from "../gen/staffsync/v1/import_pb";

export type KindKey = "new" | "updated" | "reactivated" | "deactivated" | "error" | "unchanged";

export interface KindInfo {
  key: KindKey;
  kind: ChangeKind;
  label: string;
  /** CSS modifier; every kind has its own colour (and a text label, never colour alone). */
  tone: string;
  /** What the kind means, for tooltips and the legend. */
  meaning: string;
}

/** In the order the bar shows them. */
export const KINDS: readonly KindInfo[] = [
  { key: "new", kind: ChangeKind.NEW, label: "New", tone: "new", meaning: "people added to the directory" },
  { key: "updated", kind: ChangeKind.UPDATED, label: "Updated", tone: "updated", meaning: "people whose fields change" },
  { key: "reactivated", kind: ChangeKind.REACTIVATED, label: "Reactivated", tone: "reactivated", meaning: "deactivated people who come back" },
  { key: "deactivated", kind: ChangeKind.DEACTIVATED, label: "Deactivated", tone: "deactivated", meaning: "people who lose access" },
  { key: "error", kind: ChangeKind.ERROR, label: "Error", tone: "error", meaning: "rows that are skipped; fix them in the file" },
  { key: "unchanged", kind: ChangeKind.UNCHANGED, label: "Unchanged", tone: "unchanged", meaning: "people the file does not change" },
];

export function kindInfo(kind: ChangeKind): KindInfo {
  return KINDS.find((k) => k.kind === kind) ?? KINDS[KINDS.length - 1];
}

export function kindByKey(key: KindKey): KindInfo {
  return KINDS.find((k) => k.key === key)!;
}

export function summaryCount(summary: Summary | undefined, key: KindKey | "warning"): number {
  if (!summary) return 0;
  switch (key) {
    case "new": return Number(summary.new);
    case "updated": return Number(summary.updated);
    case "reactivated": return Number(summary.reactivated);
    case "deactivated": return Number(summary.deactivated);
    case "error": return Number(summary.error);
    case "unchanged": return Number(summary.unchanged);
    case "warning": return Number(summary.warning);
  }
}

export interface Segment {
  key: KindKey;
  label: string;
  tone: string;
  count: number;
  /** Share of the bar in percent; at least enough for a label, so a single row stays clickable. */
  percent: number;
}

/** The bar's segments: kinds with at least one change, sized by their share of all changes. */
export function summarySegments(summary: Summary | undefined): Segment[] {
  const present = KINDS.map((k) => ({ k, count: summaryCount(summary, k.key) })).filter((x) => x.count > 0);
  const total = present.reduce((sum, x) => sum + x.count, 0);
  if (total === 0) return [];
  const minPercent = 14;
  const raw = present.map((x) => Math.max(minPercent, (x.count / total) * 100));
  const scale = 100 / raw.reduce((a, b) => a + b, 0);
  return present.map((x, i) => ({
    key: x.k.key,
    label: x.k.label,
    tone: x.k.tone,
    count: x.count,
    percent: Math.round(raw[i] * scale * 100) / 100,
  }));
}

export function totalChanges(summary: Summary | undefined): number {
  return KINDS.reduce((sum, k) => sum + summaryCount(summary, k.key), 0);
}
