// View logic of the cycles page: kinds, the create form, the list of emails to add.
import { create } from "@bufbuild/protobuf";
import { CreateCycleRequestSchema, CycleKind, type CreateCycleRequest, type Cycle } from "../gen/staffsync/v1/cycle_pb";

export const cycleKinds: readonly { kind: CycleKind; label: string; description: string }[] = [
  { kind: CycleKind.CYCLE_KIND_OBJECTIVES, label: "Objectives", description: "People set and track goals. Open to everyone: new people join when an import adds them." },
  { kind: CycleKind.CYCLE_KIND_REVIEW, label: "Review", description: "Managers review their reports; the reviewers are the managers at the time people join." },
  { kind: CycleKind.CYCLE_KIND_360, label: "360 feedback", description: "Feedback from colleagues; the manager is the first reviewer." },
];

export function cycleKindLabel(kind: CycleKind): string {
  return cycleKinds.find((k) => k.kind === kind)?.label ?? "Unknown";
}

/** Review and 360 cycles have reviewers, who follow the managers when reset. */
export function hasReviewers(c: Pick<Cycle, "kind">): boolean {
  return c.kind === CycleKind.CYCLE_KIND_REVIEW || c.kind === CycleKind.CYCLE_KIND_360;
}

export interface CycleForm {
  name: string;
  kind: CycleKind;
  openToEveryone: boolean;
}

export function emptyCycleForm(): CycleForm {
  return { name: "", kind: CycleKind.CYCLE_KIND_OBJECTIVES, openToEveryone: false };
}

/** What the admin must still fill in, as sentences. */
export function cycleFormProblems(f: CycleForm): string[] {
  return f.name.trim() ? [] : ['Give the cycle a name, e.g. "FY26 objectives".'];
}

export function createCycleRequest(f: CycleForm): CreateCycleRequest {
  return create(CreateCycleRequestSchema, {
    name: f.name.trim(),
    kind: f.kind,
    // Only objectives cycles can be open to everyone.
    openToEveryone: f.kind === CycleKind.CYCLE_KIND_OBJECTIVES && f.openToEveryone,
  });
}

/** The emails in pasted text: separated by lines, commas, semicolons or spaces; each once. */
export function parseEmails(text: string): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const raw of text.split(/[\s,;]+/)) {
    const email = raw.trim();
    if (!email || seen.has(email.toLowerCase())) continue;
    seen.add(email.toLowerCase());
    out.push(email);
  }
  return out;
}
