// Which component renders which route. A new page adds its route in logic/routes.ts and
// its component here.
import type { FunctionComponent } from "preact";
import type { Route } from "../logic/routes";
import { CyclesPage } from "./CyclesPage";
import { DirectoryPage } from "./DirectoryPage";
import { HistoryPage } from "./HistoryPage";
import { ImportPage } from "./ImportPage";
import { IntegrationsPage } from "./IntegrationsPage";
import { PersonPage } from "./PersonPage";
import { PreviewPage } from "./PreviewPage";
import { AccessPage } from "./AccessPage";
import { AuditPage } from "./AuditPage";
import { TokensPage } from "./TokensPage";

export type PageProps = { route: Route };

function NotFoundPage({ route }: PageProps) {
  return (
    <section>
      <h1 tabIndex={-1}>Page not found</h1>
      <p>
        There is no page at <code>{route.page === "notFound" ? route.path : ""}</code>. Use the menu above.
      </p>
    </section>
  );
}

export function pageFor(route: Route): FunctionComponent<PageProps> {
  switch (route.page) {
    case "import":
    case "signin":
      return ImportPage;
    case "preview":
      return PreviewPage;
    case "history":
      return HistoryPage;
    case "directory":
      return DirectoryPage;
    case "person":
      return PersonPage;
    case "integrations":
      return IntegrationsPage;
    case "cycles":
      return CyclesPage;
    case "tokens":
      return TokensPage;
    case "audit":
      return AuditPage;
    case "access":
      return AccessPage;
    case "notFound":
      return NotFoundPage;
  }
}
