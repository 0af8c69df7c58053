// Issue 17 in the console: pending people (not started yet) and an import's diagnosis
// (records not imported, people the source did not send).
import type { Person } from "../gen/staffsync/v1/directory_pb";
import type { DiagnoseImportResponse, DiagnosedPerson, Summary } from "../gen/staffsync/v1/import_pb";
import { formatCount, people } from "./format";

export interface StatusLabel {
  text: string;
  /** Badge modifier: good (active), pending, neutral (deactivated). */
  tone: "good" | "pending" | "neutral";
}

/** A person's status as the directory and the person page show it. */
export function personStatus(p: Pick<Person, "active" | "pending" | "hireDate">): StatusLabel {
  if (p.active) return { text: "Active", tone: "good" };
  if (p.pending) return { text: p.hireDate ? `Pending · starts ${p.hireDate}` : "Pending", tone: "pending" };
  return { text: "Deactivated", tone: "neutral" };
}

/** The status button of a person: pending people are activated early, not "reactivated". */
export function statusAction(p: Pick<Person, "active" | "pending">): string {
  if (p.active) return "Deactivate";
  return p.pending ? "Activate now" : "Reactivate";
}

/** What follows the billable count under the directory's title: the pending people, if any. */
export function pendingNote(pending: number): string {
  return pending > 0 ? ` · ${formatCount(pending)} pending (not started yet, not billable)` : "";
}

/** Sentences about pending people for the approval and applied notes; empty when none. */
export function pendingLines(summary: Summary | undefined, applied: boolean): string[] {
  if (!summary) return [];
  const pending = Number(summary.pending);
  const started = Number(summary.started);
  const lines: string[] = [];
  if (pending > 0) {
    lines.push(applied
      ? `${people(pending)} ${pending === 1 ? "is" : "are"} pending: not started yet, not billable, no password email until their hire date.`
      : `${people(pending)} will be pending: not started yet, not billable, no password email until their hire date.`);
  }
  if (started > 0) {
    lines.push(applied
      ? `${people(started)} started today and ${started === 1 ? "was" : "were"} activated.`
      : `${people(started)} ${started === 1 ? "starts" : "start"} now and will be activated.`);
  }
  return lines;
}

export interface DiagnosisSection {
  title: string;
  /** Shown when the list is empty. */
  empty: string;
  people: DiagnosedPerson[];
  total: number;
  /** "and 12 more" when the list was cut; empty otherwise. */
  more: string;
}

// A file import lists the people it does not have only when it deactivates them.
const fileNotInEmpty = "Nobody listed: a file import names the people it does not have only when \"Deactivate people missing from the file\" is on.";

/** The two sections of the diagnosis, worded for an HR sync or a file. */
export function diagnosisSections(d: DiagnoseImportResponse): DiagnosisSection[] {
  const from = d.fromSource ? "the source" : "the file";
  const section = (title: string, empty: string, list: DiagnosedPerson[], total: bigint): DiagnosisSection => {
    const n = Number(total);
    return { title, empty, people: list, total: n, more: n > list.length ? `and ${formatCount(n - list.length)} more` : "" };
  };
  return [
    section(`Not imported from ${from}`, `Every record ${from} sent was imported.`, d.notImported, d.notImportedTotal),
    section(`In staffsync but not in ${from}`, d.fromSource ? "Every active person was in the source." : fileNotInEmpty, d.notInSource, d.notInSourceTotal),
  ];
}
