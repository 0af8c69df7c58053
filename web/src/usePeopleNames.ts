// Managers of the people on a directory page, by name: the page's own people first, then one
// exact-email search per manager who is not on the page (each asked once while the page lives).
import { useEffect, useMemo, useState } from "preact/hooks";
import { directory } from "./api";
import { PersonStatusFilter, type Person } from "./gen/staffsync/v1/directory_pb";
import { exactMatch, NameBook } from "./logic/names";
import { displayName } from "./logic/people";

/** The name nameOf gives the directory's person with exactly this email, from one search. */
export async function nameInDirectory(email: string, nameOf: (p: Person) => string): Promise<string | undefined> {
  const res = await directory.listPeople({ search: email, status: PersonStatusFilter.ALL, pageSize: 5 });
  const p = exactMatch(res.people, email);
  return p ? nameOf(p) : undefined;
}

export function usePeopleNames(rows: Person[] | undefined): NameBook {
  const [, setVersion] = useState(0);
  const book = useMemo(
    () =>
      new NameBook([
        (email) => nameInDirectory(email, displayName),
      ]),
    [],
  );
  useEffect(() => {
    if (!rows) return;
    book.learn(new Map(rows.map((p) => [p.email.toLowerCase(), displayName(p)])));
    setVersion((v) => v + 1);
    const managers = rows.map((p) => p.managerEmail).filter(Boolean);
    void book.resolve(managers).then((learned) => learned && setVersion((v) => v + 1));
  }, [rows]);
  return book;
}
