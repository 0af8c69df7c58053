// View logic of the directory page.
import { create } from "@bufbuild/protobuf";
import {
  ListPeopleRequestSchema,
  PersonStatusFilter,
  type ListPeopleRequest,
  type Person,
  type StatusChange,
} from "../gen/staffsync/v1/directory_pb";

export interface PeopleFilter {
  status: PersonStatusFilter;
  search: string;
  department: string;
  location: string;
}

export const emptyPeopleFilter: PeopleFilter = { status: PersonStatusFilter.ACTIVE, search: "", department: "", location: "" };

export function peopleRequest(f: PeopleFilter, pageToken: string, pageSize: number): ListPeopleRequest {
  return create(ListPeopleRequestSchema, {
    status: f.status,
    search: f.search.trim(),
    department: f.department.trim(),
    location: f.location.trim(),
    pageSize,
    pageToken,
  });
}

/** "Preferred Last (First)" when a preferred name is set, else "First Last". */
export function displayName(p: Pick<Person, "firstName" | "lastName" | "preferredName">): string {
  const last = p.lastName.trim();
  const preferred = p.preferredName.trim();
  const first = p.firstName.trim();
  if (preferred && preferred !== first) return `${preferred} ${last} (${first})`.trim();
  return `${first} ${last}`.trim();
}

/** The answer to a deactivate or reactivate, in one sentence with any warnings. */
export function statusNotice(p: Pick<Person, "firstName" | "lastName" | "preferredName" | "active">, results: Pick<StatusChange, "changed" | "warnings">[]): string {
  const name = displayName(p);
  const verb = p.active ? "deactivated" : "reactivated";
  const r = results[0];
  const head = r && !r.changed ? `${name} was already ${verb}.` : `${name} is ${verb}.`;
  const warnings = results.flatMap((x) => x.warnings);
  return warnings.length ? `${head} ${warnings.join(" ")}` : head;
}
