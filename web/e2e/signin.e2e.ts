// Single sign-on in a real browser: the example OpenID Provider of github.com/zitadel/oidc
// on 127.0.0.1, a real staffsync dev stack. A viewer sees a preview without Approve; an
// admin approves it.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoRoot, screenshotDir, startBrowser, startStack, type Stack } from "./stack";

let stack: Stack;
let provider: ChildProcess | undefined;
let issuer = "";
let importId = "";

async function rpc(method: string, body: unknown): Promise<any> {
  const res = await fetch(`${stack.baseURL}/staffsync.v1.${method}`, {
    method: "POST",
    headers: { "Content-Type": "application/json", Authorization: `Bearer ${stack.token}` },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method}: ${res.status} ${text}`);
  return JSON.parse(text);
}

/** Builds and runs web/e2e/oidcprovider (not with go run, whose child would outlive a kill). */
function startProvider(redirect: string): Promise<string> {
  const bin = join(stack.dir, "oidcprovider");
  const build = spawnSync("go", ["build", "-o", bin, "./web/e2e/oidcprovider"], { cwd: repoRoot, encoding: "utf8" });
  if (build.status !== 0) throw new Error(`go build ./web/e2e/oidcprovider failed:\n${build.stderr}`);
  return new Promise((ok, fail) => {
    const child = spawn(bin, ["--redirect", redirect, "vic=vic@acme.test", "ann=ann@acme.test"], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    provider = child;
    let err = "";
    child.stderr!.on("data", (b: Buffer) => (err = (err + b.toString()).slice(-4000)));
    child.stdout!.once("data", (b: Buffer) => ok(b.toString().trim().split("\n")[0]));
    child.on("exit", (code) => fail(new Error(`oidcprovider exited ${code}: ${err}`)));
  });
}

async function signInAs(browser: BrowserContext, user: string): Promise<Page> {
  const page = browser.pages()[0] ?? (await browser.newPage());
  page.setDefaultTimeout(30_000);
  await page.goto(stack.baseURL + "/signin");
  await page.getByLabel("Company").fill("1");
  await page.getByLabel("Company").blur();
  await page.getByRole("button", { name: "Sign in with Acme SSO" }).click();
  await page.locator("#username").fill(user);
  await page.locator("#password").fill("password");
  await page.locator("#password").press("Enter");
  await page.getByRole("heading", { name: "Import people" }).waitFor();
  return page;
}

beforeAll(async () => {
  stack = await startStack();
  issuer = await startProvider(`${stack.baseURL}/auth/oidc/callback`);
  await rpc("AccessService/SetSignInSettings", {
    settings: {
      issuerUrl: issuer, clientId: "web", allowedEmailDomains: ["acme.test"], displayName: "Acme SSO",
      roleClaim: "preferred_username", roleMapping: { vic: "viewer", ann: "admin" },
    },
    clientSecret: "secret",
  });
  await rpc("AccessService/CreateAdmin", { name: "Vic Viewer", email: "vic@acme.test", role: "admin" });
  await rpc("AccessService/CreateAdmin", { name: "Ann Admin", email: "ann@acme.test", role: "admin" });
  const file = readFileSync(join(repoRoot, "examples", "people.csv"));
  const res = await fetch(`${stack.baseURL}/v1/imports/upload?file_name=people.csv`, {
    method: "POST", body: file, headers: { Authorization: `Bearer ${stack.token}`, "Content-Type": "application/octet-stream" },
  });
  importId = (JSON.parse(await res.text()) as { import: { id: string } }).import.id;
  for (let i = 0; i < 240; i++) {
    const got = await rpc("ImportService/GetImport", { importId });
    if (got.import.status === "IMPORT_STATUS_AWAITING_APPROVAL") return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error("the import did not reach its preview");
});

afterAll(async () => {
  if (provider && provider.exitCode === null) {
    const exited = new Promise((r) => provider!.once("exit", r));
    provider.kill("SIGTERM");
    await exited;
  }
  await stack?.stop();
});

describe("single sign-on", () => {
  it("signs a viewer in: the preview shows, Approve does not, and sign-out ends the session", async () => {
    const browser = await startBrowser(join(stack.dir, "vic"));
    try {
      const page = await signInAs(browser, "vic");
      await page.getByRole("button", { name: /Sign out \(Vic Viewer, viewer\)/ }).waitFor();
      expect(await page.getByRole("link", { name: "Tokens" }).count()).toBe(0);
      await page.getByText("Your role can look at imports but not start them").waitFor();
      expect(await page.getByRole("button", { name: "Upload and preview" }).count()).toBe(0);
      await page.goto(`${stack.baseURL}/imports/${importId}`);
      await page.getByText("Awaiting approval", { exact: true }).waitFor();
      await page.locator('.segment[data-kind="new"]').waitFor();
      expect(await page.getByRole("button", { name: "Approve…" }).count()).toBe(0);
      await page.screenshot({ path: join(screenshotDir, "sso-viewer-preview.png"), fullPage: true });
      await page.getByRole("button", { name: /Sign out/ }).click();
      await page.getByText("You are signed out.").waitFor();
      await page.goto(`${stack.baseURL}/imports/${importId}`);
      await page.getByRole("heading", { name: "Sign in to staffsync" }).waitFor();
    } finally {
      await browser.close();
    }
  });

  it("signs an admin in, who approves the import", async () => {
    const browser = await startBrowser(join(stack.dir, "ann"));
    try {
      const page = await signInAs(browser, "ann");
      await page.getByRole("button", { name: /Sign out \(Ann Admin, admin\)/ }).waitFor();
      await page.getByRole("button", { name: "Upload and preview" }).waitFor();
      await page.goto(`${stack.baseURL}/imports/${importId}`);
      await page.getByRole("button", { name: "Approve…" }).click();
      await page.getByRole("dialog", { name: "Apply this import?" }).getByRole("button", { name: "Apply changes" }).click();
      await page.getByText("Applied: the directory now matches the approved preview.").waitFor({ timeout: 60_000 });
      const audit = await rpc("AccessService/ListAuditEvents", { action: "ApproveImport" });
      expect(audit.events[0].actor).toBe("Ann Admin");
      expect(audit.events[0].role).toBe("admin");
    } finally {
      await browser.close();
    }
  });

  it("shows an owner the admins and the sign-in settings, without the secret", async () => {
    const browser = await startBrowser(join(stack.dir, "owner"));
    try {
      const page = browser.pages()[0] ?? (await browser.newPage());
      page.setDefaultTimeout(30_000);
      await page.goto(stack.baseURL + "/signin");
      await page.getByLabel("Or an admin token").fill(stack.token);
      await page.getByRole("button", { name: "Sign in with the token" }).click();
      await page.getByRole("link", { name: "Access" }).click();
      await page.getByRole("heading", { name: "Single sign-on" }).waitFor();
      expect(await page.getByLabel("Issuer URL").inputValue()).toBe(issuer);
      expect(await page.getByLabel(/^Client secret/).inputValue()).toBe("");
      expect(await page.getByLabel("Claim value = role, one per line").inputValue()).toBe("ann = admin\nvic = viewer");
      await page.getByLabel("Role of Vic Viewer").selectOption("admin");
      await page.getByText("Vic Viewer's role changed; their console sessions ended.").waitFor();
      await page.getByRole("link", { name: "Tokens" }).click();
      await page.getByLabel("Name (what uses it)").fill("nightly");
      await page.getByRole("button", { name: "Create token" }).click();
      expect(await page.getByTestId("new-token").innerText()).toMatch(/^sst_/);
      await page.screenshot({ path: join(screenshotDir, "sso-owner-tokens.png"), fullPage: true });
    } finally {
      await browser.close();
    }
  });
});
