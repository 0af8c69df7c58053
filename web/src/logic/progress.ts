// The live progress of a running import (Import.progress_phase, rows_processed, progress_total).
import type { Import } from "../gen/staffsync/v1/import_pb";
import { formatCount } from "./format";

export interface Progress {
  /** What is happening, e.g. "Reading rows: 12,000 of 100,000". */
  label: string;
  /** 0..100, or undefined when the total is not known yet (indeterminate bar). */
  percent?: number;
}

const phaseLabels: Record<string, string> = {
  parsing: "Reading rows",
  planning: "Comparing with the directory",
  applying: "Applying changes",
  applied: "Applied",
};

export function importProgress(im: Pick<Import, "progressPhase" | "rowsProcessed" | "progressTotal" | "rowsTotal">, fallback: string): Progress {
  const phase = phaseLabels[im.progressPhase] ?? fallback;
  const done = Number(im.rowsProcessed);
  const total = Number(im.progressTotal);
  if (total > 0) {
    const percent = Math.min(100, Math.floor((done / total) * 100));
    return { label: `${phase}: ${formatCount(Math.min(done, total))} of ${formatCount(total)}`, percent };
  }
  if (done > 0) return { label: `${phase}: ${formatCount(done)} so far` };
  return { label: phase };
}
