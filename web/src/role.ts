// The signed-in admin's name and role (AccessService.WhoAmI), read once per sign-in, so pages
// can hide what the role cannot do.
import { useEffect, useState } from "preact/hooks";
import { access } from "./api";
import { parseRole, type Role } from "./logic/roles";

export type Me = { name: string; role: Role; tokenName: string };

let current: Me | undefined;
let pending: Promise<void> | undefined;
const listeners = new Set<() => void>();

export function forgetMe(): void {
  current = undefined;
  pending = undefined;
  listeners.forEach((l) => l());
}

function load(): void {
  if (current || pending) return;
  pending = access
    .whoAmI({})
    .then((r) => {
      current = { name: r.name, role: parseRole(r.role), tokenName: r.tokenName };
    })
    .catch(() => {
      current = { name: "", role: "", tokenName: "" };
    })
    .finally(() => {
      pending = undefined;
      listeners.forEach((l) => l());
    });
}

/** The signed-in admin; role "" until known (hide actions until then). */
export function useMe(): Me {
  const [, setTick] = useState(0);
  useEffect(() => {
    const update = () => setTick((n) => n + 1);
    listeners.add(update);
    load();
    return () => void listeners.delete(update);
  }, []);
  return current ?? { name: "", role: "", tokenName: "" };
}
