// The seeds' safe order for an integration: save it, fetch a preview, then turn automatic
// runs on as a separate, deliberate step.
import { IntegrationState, type Integration } from "../gen/staffsync/v1/integration_pb";

export interface RunsInfo {
  label: string;
  /** What the admin should do next, or what the runs do. */
  detail: string;
}

export function runsInfo(i: Pick<Integration, "automaticRuns" | "autoApply" | "state">): RunsInfo {
  if (!i.automaticRuns) {
    return { label: "Automatic runs off", detail: "Use Fetch preview to see what it would import; turn automatic runs on once the preview looks right." };
  }
  if (i.state === IntegrationState.PAUSED) return { label: "Automatic runs paused", detail: "Resume to run on schedule again; Fetch preview still works." };
  return {
    label: "Automatic runs on",
    detail: i.autoApply ? "Runs apply by themselves unless the safety guard trips." : "Each run waits for an admin to approve its preview.",
  };
}

/** The confirmation of turning automatic runs on, naming what the runs will do. */
export function enableQuestion(i: Pick<Integration, "name" | "autoApply">, autoApply: boolean): string {
  return autoApply
    ? `${i.name} will run on its schedule and apply changes by itself unless the safety guard trips.`
    : `${i.name} will run on its schedule; each run waits for an admin to approve its preview.`;
}

/** The preview a fetch started: the integration's waiting import once it is a new one. */
export function fetchedImport(before: Pick<Integration, "currentImportId" | "lastImportId">, now: Pick<Integration, "currentImportId" | "lastImportId">): string {
  if (now.currentImportId && now.currentImportId !== before.currentImportId) return now.currentImportId;
  if (now.lastImportId && now.lastImportId !== before.lastImportId) return now.lastImportId;
  return "";
}
