// Choosing a person by typing part of their name: the merge destination, a new person's manager.
import type { Person } from "../gen/staffsync/v1/directory_pb";
import { displayName } from "./people";

export interface PickerOption {
  id: string;
  email: string;
  name: string;
  /** What the list shows under the name: title and department, and a deactivated account. */
  detail: string;
}

/** The options of a search answer, without the people who cannot be chosen (e.g. the merge source). */
export function pickerOptions(people: readonly Person[], exclude: readonly string[] = []): PickerOption[] {
  const skip = new Set(exclude.map((e) => e.toLowerCase()));
  return people
    .filter((p) => !skip.has(p.id) && !skip.has(p.email.toLowerCase()))
    .map((p) => ({
      id: p.id,
      email: p.email,
      name: displayName(p),
      detail: [p.title, p.department, p.active ? "" : "deactivated"].filter(Boolean).join(" · "),
    }));
}

/** A search is sent once the text could narrow the directory: two characters or more. */
export function searchable(text: string): boolean {
  return text.trim().length >= 2;
}

/** Keyboard movement in the open list: wraps around; -1 means nothing highlighted. */
export function moveHighlight(current: number, count: number, key: "ArrowDown" | "ArrowUp"): number {
  if (count === 0) return -1;
  if (key === "ArrowDown") return current + 1 >= count ? 0 : current + 1;
  return current <= 0 ? count - 1 : current - 1;
}
