// What a revert keeps and why, for the confirmation before it starts.
import type { HrOwnedRevert, KeptField } from "../gen/staffsync/v1/import_pb";
import { sentenceLabel } from "./changeView";
import { displayValue } from "./fields";
import { formatCount, formatDateTime, joinWords } from "./format";

/** "Léa Roux: Status stays Inactive (changed by Ada on 2026-03-01 10:00; the import had replaced Active)." */
export function keptLine(k: KeptField): string {
  const who = k.person?.name || k.person?.email || "Someone";
  const by = [k.changedBy && `changed by ${k.changedBy}`, k.changedAt && `on ${formatDateTime(k.changedAt)}`].filter(Boolean).join(" ");
  const why = [by, `the import had replaced ${displayValue(k.importOld)}`].filter(Boolean).join("; ");
  return `${who}: ${sentenceLabel(k.field)} stays ${displayValue(k.current)} (${why}).`;
}

/** The heading of the kept list: how many fields stay as they are. */
export function keptTitle(total: number | bigint): string {
  const n = Number(total);
  if (n === 0) return "";
  return `${formatCount(n)} ${n === 1 ? "field was" : "fields were"} changed after this import and ${n === 1 ? "is" : "are"} kept as ${n === 1 ? "it is" : "they are"}.`;
}

/** One sentence per HR integration owning reverted fields, when the server gave no sentence. */
export function hrOwnedLine(h: HrOwnedRevert): string {
  const fields = joinWords(h.fields.map(sentenceLabel));
  const again = h.paused ? "It is paused, so nothing sets them again until it is resumed." : "It sets them again at its next run unless you pause it first or change them in the HR system.";
  return `${h.integrationName} owns ${fields} of ${formatCount(h.people)} ${Number(h.people) === 1 ? "person" : "people"} in this revert. ${again}`;
}

/** Offer "pause the integration first" only when one of them would run again. */
export function canPauseFirst(owned: readonly Pick<HrOwnedRevert, "paused">[]): boolean {
  return owned.some((h) => !h.paused);
}
