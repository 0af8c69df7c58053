// The "+ Add person" form: what is required, what is checked before sending, and the request.
import { create } from "@bufbuild/protobuf";
import { AddPersonRequestSchema, FieldValueSchema, type AddPersonRequest, type AddPersonResponse } from "../gen/staffsync/v1/directory_pb";
import { displayName } from "./people";

export interface AddPersonForm {
  firstName: string;
  lastName: string;
  email: string;
  title: string;
  department: string;
  location: string;
  /** The chosen manager's login email; empty for none. */
  managerEmail: string;
  /** On by default, as in the seeds: de-select it to invite later. */
  sendWelcomeEmail: boolean;
}

export const emptyAddPersonForm: AddPersonForm = {
  firstName: "", lastName: "", email: "", title: "", department: "", location: "", managerEmail: "", sendWelcomeEmail: true,
};

export type AddPersonProblems = Partial<Record<"firstName" | "lastName" | "email", string>>;

// The server checks the address fully (import-rules.md section 1); this only catches typos early.
const plausibleEmail = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const maxField = 1000;

/** Problems the admin can fix before sending; the server's checks are the same as an import's. */
export function addPersonProblems(f: AddPersonForm): AddPersonProblems {
  const out: AddPersonProblems = {};
  if (!f.firstName.trim()) out.firstName = "Enter the first name.";
  else if (f.firstName.length > maxField) out.firstName = "The first name is too long.";
  if (!f.lastName.trim()) out.lastName = "Enter the last name.";
  else if (f.lastName.length > maxField) out.lastName = "The last name is too long.";
  if (!f.email.trim()) out.email = "Enter the login email.";
  else if (!plausibleEmail.test(f.email.trim()) || f.email.length > 254) out.email = `"${f.email.trim()}" is not an email address, e.g. ann.lee@example.com.`;
  return out;
}

const fieldNames: [keyof AddPersonForm, string][] = [
  ["firstName", "first_name"],
  ["lastName", "last_name"],
  ["email", "email"],
  ["title", "title"],
  ["department", "department"],
  ["location", "location"],
  ["managerEmail", "manager_email"],
];

/** The request: only the fields filled in, trimmed. */
export function addPersonRequest(f: AddPersonForm): AddPersonRequest {
  const fields = fieldNames
    .map(([key, field]) => ({ field, value: String(f[key]).trim() }))
    .filter((x) => x.value !== "")
    .map((x) => create(FieldValueSchema, x));
  return create(AddPersonRequestSchema, { fields, sendWelcomeEmail: f.sendWelcomeEmail });
}

/** What the page says once the person is added. */
export function addedNotice(res: Pick<AddPersonResponse, "person" | "welcomeEmailQueued" | "warnings">, askedForWelcome: boolean): string {
  const name = res.person ? displayName(res.person) : "The person";
  const parts = [`${name} is added.`];
  if (res.welcomeEmailQueued) parts.push("A welcome email is on its way.");
  else if (askedForWelcome) parts.push("No welcome email was sent.");
  else parts.push("No welcome email yet: send it from the directory when you are ready.");
  return [...parts, ...res.warnings].join(" ");
}
