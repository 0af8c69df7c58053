// How the preview reads: groups of kinds in a fixed order with the unchanged folded away, and
// one sentence per row that does not repeat the row's kind.
import { ChangeKind, type Change, type FieldChange, type Import, type Problem, type Summary } from "../gen/staffsync/v1/import_pb";
import { fieldLabel } from "./fields";
import { formatCount } from "./format";
import { KINDS, summaryCount, type KindKey } from "./kinds";
import type { ChangeFilter } from "./preview";

/** The one arrow the console uses between an old and a new value. */
export const ARROW = "→";

/** Server messages write a path as "a -> b"; the console shows its own arrow there too. */
export function withArrows(text: string): string {
  return text.replace(/\s+->\s+/g, ` ${ARROW} `);
}

export type TextPart = { text: string; email?: boolean };

/** Splits a message around the emails in it, so each email can be kept on one line. */
export function splitEmails(text: string): TextPart[] {
  const parts: TextPart[] = [];
  let last = 0;
  for (const m of text.matchAll(/[^\s<>()"',;:]+@[^\s<>()"',;:]+[^\s<>()"',;:.]/g)) {
    if (m.index! > last) parts.push({ text: text.slice(last, m.index) });
    parts.push({ text: m[0], email: true });
    last = m.index! + m[0].length;
  }
  if (last < text.length) parts.push({ text: text.slice(last) });
  return parts;
}

export interface ChangeGroupSpec {
  key: KindKey;
  /** Folded groups show only their count and a button to show them. */
  folded: boolean;
}

/**
 * The groups the table shows, changes first: the kinds in the bar's order with unchanged last
 * and folded. A chosen kind shows alone and open. Without a search or warnings filter the
 * summary says which kinds are empty, so those are not even asked for.
 */
export function changeGroups(filter: ChangeFilter, summary: Summary | undefined): ChangeGroupSpec[] {
  if (filter.kind) return [{ key: filter.kind, folded: false }];
  const narrowed = filter.warningsOnly || filter.search.trim() !== "";
  return KINDS.filter((k) => narrowed || summaryCount(summary, k.key) > 0).map((k) => ({ key: k.key, folded: k.key === "unchanged" }));
}

/** "49 unchanged – show" */
export function foldLabel(count: number, key: KindKey): string {
  const name = KINDS.find((k) => k.key === key)!.label.toLowerCase();
  return `${formatCount(count)} ${name} – show`;
}

/** One problem per message: a reporting loop puts the same message on every field it touches. */
export function uniqueProblems(problems: readonly Problem[]): Problem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const key = p.message.trim();
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

export type Sentence =
  /** reportsTo: a new person's manager (email), named after the text. */
  | { type: "text"; text: string; reportsTo?: string }
  /** A one-field update: the change itself. */
  | { type: "field"; field: string; label: string; old: string; new: string; cleared: boolean };

/** A field that had a value and is emptied (a dash in the file): shown as a removal. */
export function isCleared(f: Pick<FieldChange, "old" | "new">): boolean {
  return f.old !== "" && f.new === "";
}

/** Manager fields hold emails; the console shows the person's name instead. */
export function isPersonField(field: string): boolean {
  return field === "manager_email" || field === "secondary_manager_email";
}

/** A field's label without "Email" for the manager fields, which show names. */
export function sentenceLabel(field: string): string {
  if (field === "manager_email") return "Manager";
  if (field === "secondary_manager_email") return "Secondary manager";
  if (field === "status") return "Status";
  return fieldLabel(field);
}

function capitalize(s: string): string {
  return s ? s[0].toUpperCase() + s.slice(1) : s;
}

/** The server's reason without its "kind:" lead-in, which the badge already says. */
export function reasonWithoutKind(reason: string): string {
  const text = withArrows(reason.replace(/^(new|updated|unchanged|deactivated|reactivated|not imported):\s*/i, "").trim());
  if (!text) return "";
  return capitalize(text.endsWith(".") ? text : `${text}.`);
}

function valueOf(c: Change, field: string): string {
  return c.fields.find((f) => f.field === field)?.new ?? "";
}

function fieldList(fields: readonly FieldChange[]): string {
  const labels = fields.map((f) => sentenceLabel(f.field));
  if (labels.length <= 1) return labels.join("");
  return `${labels.slice(0, -1).join(", ")} and ${labels[labels.length - 1]}`;
}

/** The sentence of a row: what happens to this person, without repeating the kind. */
export function changeSentence(c: Change): Sentence {
  switch (c.kind) {
    case ChangeKind.ERROR: {
      const errors = uniqueProblems(c.errors);
      if (errors.length === 0) return { type: "text", text: reasonWithoutKind(c.reason) };
      const first = capitalize(withArrows(errors[0].message.trim()));
      const text = first.endsWith(".") ? first : `${first}.`;
      return { type: "text", text: errors.length === 1 ? text : `${text} And ${errors.length - 1} more ${errors.length === 2 ? "error" : "errors"}, see details.` };
    }
    case ChangeKind.NEW: {
      if (c.reasonCode === "new_person_inactive") return { type: "text", text: "Added as a deactivated account: the status in the file is Inactive." };
      const title = valueOf(c, "title");
      const department = valueOf(c, "department");
      const manager = valueOf(c, "manager_email");
      const text = !title && !department ? "Added to the directory" : `Joins${title ? ` as ${title}` : ""}${department ? ` in ${department}` : ""}`;
      return manager ? { type: "text", text, reportsTo: manager } : { type: "text", text: `${text}.` };
    }
    case ChangeKind.UPDATED: {
      if (c.reasonCode === "fields_changed" || (c.reasonCode === "" && c.fields.length > 0)) {
        if (c.fields.length === 1) {
          const f = c.fields[0];
          return { type: "field", field: f.field, label: sentenceLabel(f.field), old: f.old, new: f.new, cleared: isCleared(f) };
        }
        return { type: "text", text: `${c.fields.length} fields change: ${fieldList(c.fields)}.` };
      }
      return { type: "text", text: reasonWithoutKind(c.reason) };
    }
    case ChangeKind.DEACTIVATED:
      switch (c.reasonCode) {
        case "status_inactive": return { type: "text", text: "The status in the file is Inactive." };
        case "not_in_file": return { type: "text", text: "Not in the file, and \u201cDeactivate people missing from the file\u201d is on." };
      }
      return { type: "text", text: reasonWithoutKind(c.reason) };
    case ChangeKind.REACTIVATED: {
      const base = c.reasonCode === "reactivated" ? "Back in the file, and \u201cReactivate people in the file\u201d is on." : reasonWithoutKind(c.reason);
      const also = c.fields.filter((f) => f.field !== "status");
      return { type: "text", text: also.length ? `${base} ${fieldList(also)} also ${also.length === 1 ? "changes" : "change"}.` : base };
    }
    case ChangeKind.UNCHANGED:
      if (c.reasonCode === "no_changes") return { type: "text", text: "The file has the same values as the directory." };
      return { type: "text", text: reasonWithoutKind(c.reason) };
  }
  return { type: "text", text: reasonWithoutKind(c.reason) };
}

/** Emails whose names the preview needs: the managers named in the rows' field changes. */
export function personEmailsOf(changes: readonly Change[]): string[] {
  const out = new Set<string>();
  for (const c of changes) {
    for (const f of c.fields) {
      if (!isPersonField(f.field)) continue;
      if (f.old) out.add(f.old.toLowerCase());
      if (f.new) out.add(f.new.toLowerCase());
    }
  }
  return [...out];
}

/** Names the preview itself knows: every row names its person. */
export function namesFromChanges(changes: readonly Change[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const c of changes) if (c.email && c.name) out.set(c.email.toLowerCase(), c.name);
  return out;
}

/**
 * The note under the preview that blank cells were kept, for file sources where existing
 * people were matched (a new person's blank cell is simply empty). Empty when it does not apply.
 */
export function blankCellsNote(im: Pick<Import, "source" | "summary">): string {
  if (im.source === "revert") return "";
  const matched = summaryCount(im.summary, "updated") + summaryCount(im.summary, "unchanged") + summaryCount(im.summary, "reactivated");
  if (matched === 0) return "";
  return "Blank cells keep the value already in the directory; they are never shown as changes. To empty a field, write a dash (-) in its cell.";
}
