// The console's pages by URL. New pages (integrations, cycles, ...) add a pattern here and a
// component in pages/index.tsx; the navigation bar is built from navItems.
export type Route =
  | { page: "signin" }
  | { page: "import" }
  | { page: "preview"; importId: string }
  | { page: "history" }
  | { page: "directory" }
  | { page: "person"; personId: string }
  | { page: "integrations" }
  | { page: "cycles" }
  | { page: "tokens" }
  | { page: "audit" }
  | { page: "access" }
  | { page: "notFound"; path: string };

export type PageName = Route["page"];

// need: the least role that sees the page (the server refuses the calls anyway).
export const navItems: readonly { page: PageName; path: string; label: string; need?: "admin" | "owner" }[] = [
  { page: "import", path: "/import", label: "Import" },
  { page: "history", path: "/history", label: "History" },
  { page: "directory", path: "/directory", label: "Directory" },
  { page: "integrations", path: "/integrations", label: "Integrations" },
  { page: "cycles", path: "/cycles", label: "Cycles" },
  { page: "tokens", path: "/tokens", label: "Tokens", need: "owner" },
  { page: "audit", path: "/audit", label: "Audit", need: "admin" },
  { page: "access", path: "/access", label: "Access", need: "owner" },
];

export function parseRoute(pathname: string): Route {
  const path = pathname.replace(/\/+$/, "") || "/";
  if (path === "/" || path === "/import") return { page: "import" };
  if (path === "/signin") return { page: "signin" };
  if (path === "/history") return { page: "history" };
  if (path === "/directory") return { page: "directory" };
  if (path === "/integrations") return { page: "integrations" };
  if (path === "/cycles") return { page: "cycles" };
  if (path === "/tokens") return { page: "tokens" };
  if (path === "/audit") return { page: "audit" };
  if (path === "/access") return { page: "access" };
  const m = /^\/imports\/(\d+)$/.exec(path);
  if (m) return { page: "preview", importId: m[1] };
  const person = /^\/people\/(\d+)$/.exec(path);
  if (person) return { page: "person", personId: person[1] };
  return { page: "notFound", path: pathname };
}

export function routePath(r: Route): string {
  switch (r.page) {
    case "signin": return "/signin";
    case "import": return "/import";
    case "preview": return `/imports/${r.importId}`;
    case "history": return "/history";
    case "directory": return "/directory";
    case "person": return `/people/${r.personId}`;
    case "integrations": return "/integrations";
    case "cycles": return "/cycles";
    case "tokens": return "/tokens";
    case "audit": return "/audit";
    case "access": return "/access";
    case "notFound": return r.path;
  }
}
