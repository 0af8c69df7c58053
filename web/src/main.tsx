import { render } from "preact";
import { useEffect, useState } from "preact/hooks";
import { setSignedOutHandler } from "./api";
import { navItems, routePath } from "./logic/routes";
import { pageFor } from "./pages";
import { SignInPage } from "./pages/SignInPage";
import { linkClick, navigate, useRoute } from "./router";
import { clearToken, loadToken } from "./session";
import "./styles.css";

function App() {
  const route = useRoute();
  const [signedIn, setSignedIn] = useState(() => loadToken() !== "");
  const [notice, setNotice] = useState("");

  useEffect(() => {
    setSignedOutHandler(() => {
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
          setNotice("");
          setSignedIn(true);
          if (route.page === "signin") navigate("/import", true);
        }}
      />
    );
  }
  const Page = pageFor(route);
  return (
    <>
      <a class="skip-link" href="#main">Skip to content</a>
      <header class="topbar">
        <a class="brand" href="/import" onClick={linkClick}>staffsync</a>
        <nav aria-label="Main">
          <ul class="nav">
            {navItems.map((item) => (
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
          onClick={() => {
            clearToken();
            setNotice("You are signed out.");
            setSignedIn(false);
          }}
        >
          Sign out
        </button>
      </header>
      <main id="main">
        {/* Keyed by path: a page for another import starts with fresh filters and paging. */}
        <Page key={routePath(route)} route={route} />
      </main>
      {/* Dates and times show in the browser's zone; say which, for teams across zones. */}
      <footer class="footer">Times are in {Intl.DateTimeFormat().resolvedOptions().timeZone}.</footer>
    </>
  );
}

render(<App />, document.getElementById("app")!);
