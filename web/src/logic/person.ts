// View logic of a person's page: the fields it shows and edits, the update request, history lines.
import { create } from "@bufbuild/protobuf";
import {
  FieldValueSchema,
  UpdatePersonRequestSchema,
  type HistoryEntry,
  type MergePeopleResponse,
  type Person,
  type UpdatePersonRequest,
} from "../gen/staffsync/v1/directory_pb";
import { formatCount, formatDateTime, joinWords } from "./format";

/** The template fields of a person, in template order; the status has its own buttons. */
export const personFields = [
  "first_name", "last_name", "preferred_name", "gender", "title", "email", "alt_email", "employee_id",
  "manager_email", "secondary_manager_email", "department", "team", "location",
  "hire_date", "leaving_date", "termination_type", "employment_type",
] as const;

export type PersonField = (typeof personFields)[number];

/** An edit form: every field's text as typed. */
export type PersonForm = Record<PersonField, string>;

const camel = (f: string) => f.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

/** Field f of p ("" when empty). */
export function personValue(p: Person, f: PersonField): string {
  const v = (p as unknown as Record<string, unknown>)[camel(f)];
  return typeof v === "string" ? v : "";
}

export function formOf(p: Person): PersonForm {
  const form = {} as PersonForm;
  for (const f of personFields) form[f] = personValue(p, f);
  return form;
}

/**
 * The request that saves what the admin changed, or undefined when nothing changed. Only
 * edited fields are sent; an emptied field is cleared.
 */
export function updateRequest(p: Person, form: PersonForm): UpdatePersonRequest | undefined {
  const fields = [];
  for (const f of personFields) {
    const typed = form[f].trim();
    if (typed === personValue(p, f)) continue;
    fields.push(create(FieldValueSchema, typed === "" ? { field: f, clear: true } : { field: f, value: typed }));
  }
  if (fields.length === 0) return undefined;
  return create(UpdatePersonRequestSchema, { person: p.id, fields });
}

const kindWords: Record<string, string> = {
  new: "Added",
  updated: "Updated",
  unchanged: "Imported unchanged",
  deactivated: "Deactivated",
  reactivated: "Reactivated",
  merged: "Merged",
  deleted: "Deleted",
  password_email: "Password email sent",
};

/** The heading of a history entry: what happened, when, by whom and how. */
export function historyTitle(e: HistoryEntry): string {
  let line = `${kindWords[e.kind] ?? e.kind} ${formatDateTime(e.at)}`;
  if (e.admin) line += ` by ${e.admin}`;
  if (e.importId) line += `, import ${e.importId}${e.importSource && e.importSource !== "upload" ? ` (${e.importSource})` : ""}`;
  if (e.mergedFrom) line += `, on the merged account ${e.mergedFrom}`;
  return line;
}

const counted = (n: number | bigint, one: string, many: string) => `${formatCount(n)} ${Number(n) === 1 ? one : many}`;

/** What a merge moves (or would move, for a dry run), as one sentence. */
export function mergeSummary(res: MergePeopleResponse): string {
  const from = res.source?.name || res.source?.email || "the account";
  const to = res.destination?.name || res.destination?.email || "the other account";
  const moves: string[] = [];
  if (res.reportsMoved.length) moves.push(counted(res.reportsMoved.length, "direct report", "direct reports"));
  if (res.secondaryReportsMoved.length) moves.push(counted(res.secondaryReportsMoved.length, "secondary report", "secondary reports"));
  if (res.cycleParticipationsMoved) moves.push(counted(res.cycleParticipationsMoved, "cycle participation", "cycle participations"));
  if (res.reviewerRolesMoved) moves.push(counted(res.reviewerRolesMoved, "reviewer role", "reviewer roles"));
  if (res.historyEntries) moves.push(counted(res.historyEntries, "history entry", "history entries"));
  let line = `${res.dryRun ? "Merging would move" : "Moved"} ${moves.length ? joinWords(moves) : "nothing"} from ${from} to ${to}`;
  if (res.cyclesKeptWithSource) line += `; ${counted(res.cyclesKeptWithSource, "cycle stays", "cycles stay")} with ${from}, where ${to} already takes part`;
  line += res.dryRun ? `, and deactivate ${from}.` : `${res.sourceDeactivated ? `, and deactivated ${from}` : ""}.`;
  return line;
}
