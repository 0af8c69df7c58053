import { render } from "preact";
import { useEffect, useState } from "preact/hooks";
import { setSignedOutHandler } from "./api";
import { navItems, routePath } from "./logic/routes";
import { pageFor } from "./pages";
import { SignInPage } from "./pages/SignInPage";
import { linkClick, navigate, useRoute } from "./router";
import { can } from "./logic/roles";
import { forgetMe, useMe } from "./role";
import { clearToken, endSession, loadCsrf, loadToken } from "./session";
import "./styles.css";

function App() {
  const route = useRoute();
  const [signedIn, setSignedIn] = useState(() => loadToken() !== "" || loadCsrf() !== "");
  const [notice, setNotice] = useState("");

  useEffect(() => {
    setSignedOutHandler(() => {
      forgetMe();
      setSignedIn(false);
      setNotice("Your sign-in is no longer valid. Sign in again with an admin token.");
    });
  }, []);

  // Move focus to the new page's heading so keyboard and screen reader users land there.
  useEffect(() => {
    document.querySelector<HTMLElement>("main h1")?.focus();
  }, [route, signedIn]);

  if (!signedIn) {
    return (
      <SignInPage
        notice={notice}
        onSignedIn={() => {
          forgetMe();
          setNotice("");
          setSignedIn(true);
          if (route.page === "signin") navigate("/import", true);
        }}
      />
    );
  }
  return <Console route={route} onSignOut={(msg) => { setNotice(msg); setSignedIn(false); }} />;
}

function Console({ route, onSignOut }: { route: ReturnType<typeof useRoute>; onSignOut: (notice: string) => void }) {
  const me = useMe();
  const Page = pageFor(route);
  return (
    <>
      <a class="skip-link" href="#main">Skip to content</a>
      <header class="topbar">
        <a class="brand" href="/import" onClick={linkClick}>staffsync</a>
        <nav aria-label="Main">
          <ul class="nav">
            {navItems.filter((item) => !item.need || can(me.role, item.need)).map((item) => (
              <li key={item.page}>
                <a
                  href={item.path}
                  onClick={linkClick}
                  aria-current={route.page === item.page || (item.page === "history" && route.page === "preview") || (item.page === "directory" && route.page === "person") ? "page" : undefined}
                >
                  {item.label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <button
          type="button"
          class="button link"
          onClick={async () => {
            clearToken();
            await endSession().catch(() => undefined);
            forgetMe();
            onSignOut("You are signed out.");
          }}
        >
          Sign out{me.name ? ` (${me.name}, ${me.role})` : ""}
        </button>
      </header>
      <main id="main" data-role={me.role}>
        {/* Keyed by path: a page for another import starts with fresh filters and paging. */}
        <Page key={routePath(route)} route={route} />
      </main>
      {/* Dates and times show in the browser's zone; say which, for teams across zones. */}
      <footer class="footer">Times are in {Intl.DateTimeFormat().resolvedOptions().timeZone}.</footer>
    </>
  );
}

render(<App />, document.getElementById("app")!);
