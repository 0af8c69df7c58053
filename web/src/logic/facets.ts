// The values the directory's pick-lists offer: the departments and locations its people have.
import type { Person } from "../gen/staffsync/v1/directory_pb";

export type FacetField = "department" | "location";

export interface Facets {
  department: string[];
  location: string[];
  /** False when only part of the directory was read: the lists may miss rare values. */
  complete: boolean;
}

export const noFacets: Facets = { department: [], location: [], complete: true };

const collator = new Intl.Collator("en", { sensitivity: "base", numeric: true });

/**
 * The distinct values of a field, sorted for reading. The server filters case-insensitively, so
 * "berlin" and "Berlin" are one choice, shown in the spelling most people have.
 */
export function distinctValues(people: readonly Pick<Person, FacetField>[], field: FacetField): string[] {
  const byKey = new Map<string, Map<string, number>>();
  for (const p of people) {
    const v = p[field].trim();
    if (!v) continue;
    const key = v.toLocaleLowerCase();
    const spellings = byKey.get(key) ?? new Map<string, number>();
    spellings.set(v, (spellings.get(v) ?? 0) + 1);
    byKey.set(key, spellings);
  }
  const out = [...byKey.values()].map((spellings) => [...spellings].sort((a, b) => b[1] - a[1] || collator.compare(a[0], b[0]))[0][0]);
  return out.sort(collator.compare);
}

/** The choices of a pick-list: the values present, plus the one chosen if it is not among them. */
export function choices(values: readonly string[], current: string): string[] {
  const c = current.trim();
  if (!c || values.some((v) => v.toLocaleLowerCase() === c.toLocaleLowerCase())) return [...values];
  return [...values, c].sort(collator.compare);
}
