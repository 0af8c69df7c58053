// Hints the preview found across rows (unknown managers, an uncommon domain, possible
// duplicates), as the console shows them.
import type { ImportHint, NamedPerson } from "../gen/staffsync/v1/import_pb";
import { formatCount } from "./format";

const titles: Record<string, string> = {
  unknown_manager: "Manager not found",
  uncommon_domain: "Uncommon email domain",
  possible_duplicate: "Possible duplicate",
};

export function hintTitle(code: string): string {
  return titles[code] ?? "Hint";
}

/** "Row 4", "Rows 4, 7 and 9", "Rows 4, 7, 9 and 12 more". */
export function rowsText(h: Pick<ImportHint, "rows" | "rowCount">): string {
  const rows = h.rows.filter((r) => r > 0);
  const total = Math.max(Number(h.rowCount), rows.length);
  if (rows.length === 0) return "";
  if (total === 1) return `Row ${rows[0]}`;
  const more = total - rows.length;
  if (more > 0) return `Rows ${rows.join(", ")} and ${formatCount(more)} more`;
  return `Rows ${rows.slice(0, -1).join(", ")} and ${rows[rows.length - 1]}`;
}

/**
 * Where "Merge…" of a possible duplicate goes: the first account's page with the merge dialog
 * open on the second. Only when both accounts are in the directory; a row that is only in the
 * file is fixed in the file.
 */
export function mergeLink(h: Pick<ImportHint, "code" | "people">): string {
  if (h.code !== "possible_duplicate") return "";
  const inDirectory = h.people.filter((p) => p.id);
  if (inDirectory.length < 2) return "";
  return `/people/${inDirectory[0].id}?merge=${inDirectory[1].id}`;
}

/** A person a hint names, as a short label: name, email, where they are. */
export function namedPersonLabel(p: Pick<NamedPerson, "name" | "email" | "row" | "id">): string {
  const where = p.id && p.row ? `in the directory and row ${p.row}` : p.id ? "in the directory" : p.row ? `row ${p.row}` : "";
  return `${p.name || p.email}${p.name ? ` (${p.email})` : ""}${where ? `, ${where}` : ""}`;
}
