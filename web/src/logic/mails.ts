// What the console says after welcome and password mails were asked for.
import type { PersonRef } from "../gen/staffsync/v1/directory_pb";
import { people } from "./format";

function names(refs: readonly Pick<PersonRef, "name" | "email">[]): string {
  const list = refs.slice(0, 3).map((r) => r.name || r.email);
  const more = refs.length > 3 ? ` and ${refs.length - 3} more` : "";
  if (list.length <= 1) return list.join("") + more;
  return more ? `${list.join(", ")}${more}` : `${list.slice(0, -1).join(", ")} and ${list[list.length - 1]}`;
}

/** The answer to "Send welcome mails": who gets one, who was left out, and any warnings. */
export function welcomeNotice(res: { queued: readonly PersonRef[]; skipped: readonly PersonRef[]; warnings: readonly string[] }): string {
  const parts: string[] = [];
  if (res.queued.length === 0) parts.push("No welcome mails to send: everyone chosen was invited already or is deactivated.");
  else parts.push(`Welcome mails are on their way to ${people(res.queued.length)}: ${names(res.queued)}.`);
  if (res.skipped.length > 0) parts.push(`Left out (deactivated): ${names(res.skipped)}.`);
  return [...parts, ...res.warnings].join(" ");
}

/** The answer to "Send password mail" for one person. */
export function passwordNotice(name: string, res: { queued: readonly PersonRef[]; warnings: readonly string[] }): string {
  const head = res.queued.length > 0 ? `A password mail is on its way to ${name}.` : `No password mail was sent to ${name}.`;
  return [head, ...res.warnings].join(" ");
}
