// Row selection of the directory: checkboxes, shift-click for a range, and what a bulk action
// does to the people selected.
import type { Person, StatusChange } from "../gen/staffsync/v1/directory_pb";
import { displayName } from "./people";
import { formatCount, people } from "./format";

export interface RowSelection {
  selected: ReadonlySet<string>;
  /** The row clicked last without shift: a shift-click selects from here. */
  anchor?: string;
}

export const noSelection: RowSelection = { selected: new Set() };

/**
 * A click on a row's checkbox, which the browser has already set to checked. With shift, every
 * row between the anchor and this one (on the page shown) takes the same state, as in a file
 * manager; without, only this row does and it becomes the anchor.
 */
export function clickRow(sel: RowSelection, pageIds: readonly string[], id: string, checked: boolean, shift: boolean): RowSelection {
  const next = new Set(sel.selected);
  const from = sel.anchor === undefined ? -1 : pageIds.indexOf(sel.anchor);
  const to = pageIds.indexOf(id);
  if (shift && from >= 0 && to >= 0) {
    const [lo, hi] = from < to ? [from, to] : [to, from];
    for (const rowId of pageIds.slice(lo, hi + 1)) {
      if (checked) next.add(rowId);
      else next.delete(rowId);
    }
    return { selected: next, anchor: sel.anchor };
  }
  if (checked) next.add(id);
  else next.delete(id);
  return { selected: next, anchor: id };
}

export type HeaderState = "all" | "some" | "none";

/** The state of the "select all on this page" checkbox. */
export function headerState(sel: RowSelection, pageIds: readonly string[]): HeaderState {
  const n = pageIds.filter((id) => sel.selected.has(id)).length;
  if (n === 0) return "none";
  return n === pageIds.length ? "all" : "some";
}

/** The header checkbox: selects the whole page, or clears it when it is all selected. */
export function toggleAll(sel: RowSelection, pageIds: readonly string[]): RowSelection {
  const next = new Set(sel.selected);
  const on = headerState(sel, pageIds) !== "all";
  for (const id of pageIds) {
    if (on) next.add(id);
    else next.delete(id);
  }
  return { selected: next, anchor: undefined };
}

export type BulkAction = "deactivate" | "reactivate" | "welcome";

export interface BulkPlan {
  /** The people the action changes. */
  targets: Person[];
  /** Selected people it does not apply to (already in that state). */
  skipped: Person[];
}

/** Who a bulk action applies to: deactivate the active, reactivate the deactivated, mail the active. */
export function bulkPlan(selected: readonly Person[], action: BulkAction): BulkPlan {
  const applies = (p: Person) => (action === "reactivate" ? !p.active : p.active);
  return { targets: selected.filter(applies), skipped: selected.filter((p) => !applies(p)) };
}

const verbs: Record<BulkAction, { done: string; already: string }> = {
  deactivate: { done: "deactivated", already: "already deactivated" },
  reactivate: { done: "reactivated", already: "already active" },
  welcome: { done: "sent a welcome mail", already: "deactivated and get no mail" },
};

/** The question of the confirmation dialog. */
export function bulkQuestion(action: BulkAction, n: number): string {
  if (action === "welcome") return `Send welcome mails to ${people(n)}?`;
  return `${action === "deactivate" ? "Deactivate" : "Reactivate"} ${people(n)}?`;
}

/** The names a confirmation lists: all of a few, else the first ones and how many more. */
export function nameList(targets: readonly Person[], max = 5): string {
  const names = targets.slice(0, max).map(displayName);
  if (targets.length > max) return `${names.join(", ")} and ${formatCount(targets.length - max)} more`;
  if (names.length <= 1) return names.join("");
  return `${names.slice(0, -1).join(", ")} and ${names[names.length - 1]}`;
}

/** The answer to a bulk deactivate or reactivate, in a sentence or two with any warnings. */
export function bulkNotice(action: Exclude<BulkAction, "welcome">, results: readonly Pick<StatusChange, "changed" | "warnings">[]): string {
  const changed = results.filter((r) => r.changed).length;
  const same = results.length - changed;
  const v = verbs[action];
  const parts = [`${people(changed)} ${v.done}.`];
  if (same > 0) parts.push(`${people(same)} ${same === 1 ? "was" : "were"} ${v.already}.`);
  return [...parts, ...results.flatMap((r) => r.warnings)].join(" ");
}
