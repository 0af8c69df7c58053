// Loads the departments and locations present in the directory for the filters' pick-lists.
// No RPC lists distinct values, so the console reads the directory in large pages, up to a
// bound; past it the lists may miss rare values and say so.
import { useEffect, useState } from "preact/hooks";
import { directory } from "./api";
import { PersonStatusFilter, type Person } from "./gen/staffsync/v1/directory_pb";
import { distinctValues, noFacets, type Facets } from "./logic/facets";

const facetPageSize = 1000;
const facetMaxPages = 5;

export function useFacets(reload: number): Facets {
  const [facets, setFacets] = useState<Facets>(noFacets);
  useEffect(() => {
    let live = true;
    (async () => {
      const seen: Pick<Person, "department" | "location">[] = [];
      let token = "";
      for (let page = 0; page < facetMaxPages; page++) {
        const res = await directory.listPeople({ status: PersonStatusFilter.ALL, pageSize: facetPageSize, pageToken: token });
        for (const p of res.people) seen.push({ department: p.department, location: p.location });
        token = res.nextPageToken;
        if (!token) break;
      }
      if (live) setFacets({ department: distinctValues(seen, "department"), location: distinctValues(seen, "location"), complete: token === "" });
    })().catch(() => {
      // The filters stay usable with the values already chosen; the table shows the error.
    });
    return () => void (live = false);
  }, [reload]);
  return facets;
}
