// View logic of the integrations page: the form of each kind, states, requests.
import { create } from "@bufbuild/protobuf";
import { equals } from "@bufbuild/protobuf";
import { ImportOptionsSchema } from "../gen/staffsync/v1/import_pb";
import {
  CreateIntegrationRequestSchema,
  IntegrationState,
  UpdateIntegrationRequestSchema,
  type CreateIntegrationRequest,
  type Integration,
  type UpdateIntegrationRequest,
} from "../gen/staffsync/v1/integration_pb";
import {
  activateOnHireDateDefault,
  defaultOptionValues,
  holdsFutureHires,
  optionValuesOf,
  optionsToProto,
  withActivateOnHireDate,
  type OptionValues,
} from "./options";

export interface FieldSpec {
  key: string;
  label: string;
  help?: string;
  required?: boolean;
  multiline?: boolean;
  checkbox?: boolean;
  placeholder?: string;
}

export interface KindSpec {
  kind: string;
  label: string;
  description: string;
  settings: FieldSpec[];
  /** Write-only: sent once, never shown again. */
  secrets: FieldSpec[];
}

// The setting and secret names are the API's (api/integrations.go kindSpecs).
export const integrationKinds: readonly KindSpec[] = [
  {
    kind: "https",
    label: "File over HTTPS",
    description: "staffsync downloads a CSV or XLSX file from a URL on a schedule.",
    settings: [
      { key: "url", label: "File URL", required: true, placeholder: "https://hr.example.com/export/people.csv" },
      { key: "username", label: "User name", help: "For basic authentication; leave empty when the URL needs none or a token." },
    ],
    secrets: [
      { key: "password", label: "Password", help: "Basic authentication password." },
      { key: "token", label: "Bearer token", help: "Sent as 'Authorization: Bearer …' instead of a user name and password." },
    ],
  },
  {
    kind: "sftp",
    label: "File on an SFTP server",
    description: "staffsync fetches the newest matching file from your SFTP server on a schedule.",
    settings: [
      { key: "host", label: "Host", required: true, placeholder: "sftp.example.com" },
      { key: "port", label: "Port", placeholder: "22" },
      { key: "user", label: "User name", required: true },
      { key: "host_key", label: "Host key fingerprint", help: "SHA256:… as shown by Test connection; pins the server so nobody can impersonate it.", placeholder: "SHA256:…" },
      { key: "dir", label: "Folder", placeholder: "/exports" },
      { key: "glob", label: "File name pattern", placeholder: "people-*.csv" },
      { key: "archive", label: "Move imported files to an archive folder", checkbox: true },
    ],
    secrets: [
      { key: "password", label: "Password" },
      { key: "private_key", label: "Private key", multiline: true, help: "OpenSSH private key (PEM); used instead of a password." },
      { key: "passphrase", label: "Key passphrase" },
    ],
  },
  {
    kind: "sftp-drop",
    label: "SFTP drop hosted by staffsync",
    description: "Your HR system uploads files to staffsync's own SFTP server; each new file is imported.",
    settings: [
      { key: "user", label: "SFTP user name", required: true, help: "3-32 lower-case letters, digits, '.', '_' or '-', starting with a letter." },
      { key: "authorized_keys", label: "Authorized public keys", required: true, multiline: true, help: "One OpenSSH public key per line (ssh-ed25519 AAAA…)." },
    ],
    secrets: [],
  },
  {
    kind: "bamboohr",
    label: "BambooHR",
    description: "staffsync reads the employee directory from BambooHR's API.",
    settings: [
      { key: "subdomain", label: "Company subdomain", required: true, help: "\"acme\" for acme.bamboohr.com." },
      { key: "base_url", label: "API address", help: "Leave empty for BambooHR itself; set it only for a proxy or a test server." },
    ],
    secrets: [{ key: "api_key", label: "API key", required: true, help: "A BambooHR API key of a user who can see status and work email." }],
  },
  {
    kind: "personio",
    label: "Personio",
    description: "staffsync reads the employees from Personio's API.",
    settings: [{ key: "base_url", label: "API address", help: "Leave empty for Personio itself; set it only for a proxy or a test server." }],
    secrets: [
      { key: "client_id", label: "Client ID", required: true },
      { key: "client_secret", label: "Client secret", required: true },
    ],
  },
];

export function kindSpec(kind: string): KindSpec | undefined {
  return integrationKinds.find((k) => k.kind === kind);
}

export function kindLabel(kind: string): string {
  return kindSpec(kind)?.label ?? kind;
}

export const intervalChoices: readonly { seconds: number; label: string }[] = [
  { seconds: 0, label: "Default for this kind (2-3 hours)" },
  { seconds: 15 * 60, label: "Every 15 minutes" },
  { seconds: 60 * 60, label: "Every hour" },
  { seconds: 6 * 3600, label: "Every 6 hours" },
  { seconds: 24 * 3600, label: "Once a day" },
];

export interface StateInfo {
  label: string;
  tone: "good" | "neutral" | "bad" | "waiting";
  /** Why, when the state needs an explanation. */
  detail: string;
}

export function stateInfo(i: Pick<Integration, "state" | "pausedReason" | "lastError" | "consecutiveFailures">): StateInfo {
  switch (i.state) {
    case IntegrationState.ACTIVE:
      return { label: "Active", tone: "good", detail: "" };
    case IntegrationState.PAUSED:
      return { label: "Paused", tone: "neutral", detail: i.pausedReason || "Paused by an admin." };
    case IntegrationState.FAILING: {
      const times = i.consecutiveFailures > 1 ? ` (${i.consecutiveFailures} runs in a row)` : "";
      return { label: "Failing", tone: "bad", detail: `${i.lastError || "The last run failed."}${times}` };
    }
    case IntegrationState.AWAITING_APPROVAL:
      return { label: "Awaiting approval", tone: "waiting", detail: "A run found changes that wait for an admin's approval." };
    default:
      return { label: "Unknown", tone: "neutral", detail: "" };
  }
}

export interface IntegrationForm {
  kind: string;
  name: string;
  settings: Record<string, string>;
  secrets: Record<string, string>;
  intervalSeconds: number;
  /** Off for a new integration: its first runs wait for approval (the seeds' safe order). */
  autoApply: boolean;
  /** BambooHR: show the HR system's employee photos in the console. */
  showPhotos: boolean;
  options: OptionValues;
}

export function emptyIntegrationForm(kind = "https"): IntegrationForm {
  return { kind, name: "", settings: {}, secrets: {}, intervalSeconds: 0, autoApply: false, showPhotos: false, options: defaultOptionValues() };
}

/**
 * What the admin must still fill in, as sentences; empty when the form can be sent. When
 * editing (existing), a secret that is already set may stay blank: blank keeps it.
 */
export function formProblems(f: IntegrationForm, existing?: Integration): string[] {
  const spec = kindSpec(f.kind);
  if (!spec) return ["Choose what kind of source this is."];
  const out: string[] = [];
  if (!f.name.trim()) out.push("Give the integration a name, e.g. \"Payroll export\".");
  const dropped = existing ? droppedSecrets(existing, f) : [];
  for (const field of [...spec.settings, ...spec.secrets]) {
    const secret = spec.secrets.includes(field);
    const value = (secret ? f.secrets : f.settings)[field.key] ?? "";
    if (secret && existing?.secrets[field.key] && !dropped.includes(field.key)) continue;
    if (field.required && !value.trim()) out.push(`Fill in "${field.label}".`);
  }
  return out;
}

/**
 * The settings that say where an integration's secrets are sent (api/integration_endpoint.go
 * endpointSettings). Changing one drops the stored secrets unless they are entered again.
 */
export const endpointSettings: Readonly<Record<string, readonly string[]>> = {
  https: ["url", "username"],
  sftp: ["host", "port", "user", "host_key"],
  bamboohr: ["subdomain", "base_url"],
  personio: ["base_url"],
};

/** The endpoint settings the form changes. */
export function changedEndpoint(i: Integration, f: IntegrationForm): string[] {
  return (endpointSettings[i.kind] ?? []).filter((k) => (f.settings[k] ?? "").trim() !== (i.settings[k] ?? "").trim());
}

/** The stored secrets saving the form would drop: the endpoint changed and they were not entered again. */
export function droppedSecrets(i: Integration, f: IntegrationForm): string[] {
  if (changedEndpoint(i, f).length === 0) return [];
  return Object.keys(i.secrets).filter((k) => (f.secrets[k] ?? "").trim() === "").sort();
}

/** The form to edit an integration: its settings and options as they are, secrets blank (kept). */
export function editForm(i: Integration): IntegrationForm {
  return {
    kind: i.kind,
    name: i.name,
    settings: { ...i.settings },
    secrets: {},
    intervalSeconds: Number(i.intervalSeconds),
    autoApply: i.autoApply,
    showPhotos: i.showPhotos,
    options: optionValuesOf(i.options),
  };
}

/**
 * The request that saves what the admin changed, or undefined when nothing changed. A
 * setting emptied is removed; a secret is sent only when typed (rotation). Options the form
 * does not show (approval timeout, second approver) are kept as they are.
 */
export function updateRequest(i: Integration, f: IntegrationForm): UpdateIntegrationRequest | undefined {
  const spec = kindSpec(i.kind);
  const req = create(UpdateIntegrationRequestSchema, { id: i.id });
  let changed = false;
  if (f.name.trim() !== i.name) {
    req.name = f.name.trim();
    changed = true;
  }
  for (const field of spec?.settings ?? []) {
    const typed = (f.settings[field.key] ?? "").trim();
    if (typed !== (i.settings[field.key] ?? "")) {
      req.settings[field.key] = typed;
      changed = true;
    }
  }
  for (const field of spec?.secrets ?? []) {
    const typed = f.secrets[field.key] ?? "";
    if (typed.trim() !== "") {
      req.secrets[field.key] = typed;
      changed = true;
    }
  }
  if (f.intervalSeconds !== Number(i.intervalSeconds)) {
    req.intervalSeconds = BigInt(f.intervalSeconds);
    changed = true;
  }
  if (f.autoApply !== i.autoApply) {
    req.autoApply = f.autoApply;
    changed = true;
  }
  if (f.showPhotos !== i.showPhotos) {
    req.showPhotos = f.showPhotos;
    changed = true;
  }
  const options = optionsToProto(f.options);
  if (!equals(ImportOptionsSchema, options, optionsToProto(optionValuesOf(i.options)))) {
    options.approvalTimeout = i.options?.approvalTimeout;
    options.requireSecondApprover = i.options?.requireSecondApprover;
    req.options = options;
    changed = true;
  }
  return changed ? req : undefined;
}

/** Only the kind's own fields, trimmed, without empty values. */
export function createRequest(f: IntegrationForm): CreateIntegrationRequest {
  const spec = kindSpec(f.kind);
  const pick = (fields: FieldSpec[], values: Record<string, string>, trim: boolean) => {
    const out: Record<string, string> = {};
    for (const field of fields) {
      const raw = values[field.key] ?? "";
      const v = trim ? raw.trim() : raw;
      if (v.trim() !== "") out[field.key] = v;
    }
    return out;
  };
  // The kind may have changed after the admin chose: a choice equal to the kind's default is not pinned.
  const kindDefault = activateOnHireDateDefault(f.kind);
  return create(CreateIntegrationRequestSchema, {
    kind: f.kind,
    name: f.name.trim(),
    settings: pick(spec?.settings ?? [], f.settings, true),
    // Secrets are sent as typed (a key's trailing newline matters to some parsers) but never blank.
    secrets: pick(spec?.secrets ?? [], f.secrets, false),
    intervalSeconds: BigInt(f.intervalSeconds),
    autoApply: f.autoApply,
    showPhotos: f.kind === "bamboohr" && f.showPhotos,
    options: optionsToProto(withActivateOnHireDate(f.options, holdsFutureHires(f.options, kindDefault), kindDefault)),
  });
}

/** The SSH host key fingerprint in a connection test's message, to offer pinning it. */
export function hostKeyFingerprint(message: string): string | undefined {
  return /SHA256:[A-Za-z0-9+/]{20,}={0,2}/.exec(message)?.[0];
}
