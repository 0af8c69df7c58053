// An HR admin's everyday work (issue 20) in a real browser against a real stack: a preview of
// acme-like data that opens on its changes, and bulk actions in the directory. Screenshots for
// the README go to docs/screenshots/.
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { join } from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { acmeChanges, acmeFile, acmePeople } from "./acme";
import { repoRoot, screenshotDir, startBrowser, startStack, type Stack } from "./stack";

// The README's screenshots are refreshed only when asked, so a test run leaves the tree clean.
const docShots = process.env.STAFFSYNC_DOC_SCREENSHOTS === "1" ? join(repoRoot, "docs", "screenshots") : screenshotDir;

// The HTTPS-file integration below reads a file served on 127.0.0.1 (plain HTTP is allowed
// there only with private networks allowed, as on a self-hosted install).
process.env.STAFFSYNC_ALLOW_PRIVATE_NETWORKS = "true";

let stack: Stack;
let hrServer: Server | undefined;
let browser: BrowserContext;
let page: Page;

beforeAll(async () => {
  stack = await startStack();
  browser = await startBrowser(stack.dir);
  page = browser.pages()[0] ?? (await browser.newPage());
  page.setDefaultTimeout(30_000);
  mkdirSync(docShots, { recursive: true });
  await page.goto(stack.baseURL + "/");
  await page.getByLabel("Admin token").fill(stack.token);
  await page.getByRole("button", { name: "Sign in with the token" }).click();
  await page.getByRole("heading", { name: "Import people" }).waitFor();
});

afterAll(async () => {
  await new Promise((r) => (hrServer ? hrServer.close(r) : r(undefined)));
  await browser?.close();
  await stack?.stop();
});

afterEach(async ({ task }) => {
  if (task.result?.state === "fail" && page) {
    await page.screenshot({ path: join(screenshotDir, `failed-${task.name.replace(/[^a-z0-9]+/gi, "-").slice(0, 60)}.png`), fullPage: true }).catch(() => {});
  }
});

/** Pastes CSV text on the Import page and waits for its preview. */
async function pasteImport(csv: string) {
  await page.getByRole("link", { name: "Import", exact: true }).click();
  await page.getByLabel("Paste CSV text").check();
  await page.getByLabel("CSV text, header row first").fill(csv);
  await page.getByRole("button", { name: "Upload and preview" }).click();
  await page.waitForURL(/\/imports\/\d+$/);
  await page.getByText("Awaiting approval", { exact: true }).waitFor({ timeout: 60_000 });
}

async function approve() {
  await page.getByRole("button", { name: "Approve…" }).click();
  await page.getByRole("dialog", { name: "Apply this import?" }).getByRole("button", { name: "Apply changes" }).click();
  await page.getByText("Applied: the directory now matches the approved preview.").waitFor({ timeout: 60_000 });
}

function row(email: string) {
  return page.locator("table.changes tr.change-row", { has: page.locator("td:nth-child(4) .email", { hasText: new RegExp(`^${email.replace(/[.]/g, "\\.")}$`) }) });
}

const base = acmePeople();
/** The path of the acme re-import's preview (test 1), reverted by a later test. */
let secondImportPath = "";

/** Waits until the dev stack's mail log names every address (each at least `times` times). */
async function mailLogHas(addresses: string[], times = 1) {
  const log = join(stack.dir, "data", "mail.log");
  const deadline = Date.now() + 60_000;
  for (;;) {
    const text = existsSync(log) ? readFileSync(log, "utf8") : "";
    // Messages are separated by a line of dashes; count those addressed to each address.
    const sentTo = (a: string) => text.split("----\n").filter((m) => /^To: .*$/m.exec(m)?.[0].includes(a)).length;
    if (addresses.every((a) => sentTo(a) >= times)) return text;
    if (Date.now() > deadline) throw new Error(`mail log lacks ${addresses.join(", ")}:\n${text.slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

describe("everyday work", () => {
  it("opens a preview of acme-like data on its changes, one sentence a row", async () => {
    await pasteImport(acmeFile(base));
    await approve();

    const second = acmeChanges(base);
    await pasteImport(second.file);
    secondImportPath = new URL(page.url()).pathname;
    // Changes first, in the bar's order; the 49 unchanged are folded behind one button.
    await page.locator("table.changes tr.change-row").first().waitFor();
    const groups = await page.locator("table.changes tbody.group").evaluateAll((els) => els.map((e) => e.getAttribute("data-group")));
    expect(groups).toEqual(["new", "updated", "deactivated", "error", "unchanged"]);
    expect(await page.locator("table.changes tr.change-row").first().locator(".badge").innerText()).toBe("New");
    const fold = page.getByRole("button", { name: "49 unchanged – show" });
    await fold.waitFor();
    expect(await page.locator('tbody[data-group="unchanged"] tr.change-row').count()).toBe(0);
    await page.waitForFunction(() => document.querySelectorAll("table.changes tr.change-row").length === 13);

    // A new person's sentence names the manager.
    const nina = await row("nina.neu@acme.example").locator(".what").innerText();
    expect(nina).toMatch(new RegExp(`^Joins as Engineer in Engineering, reporting to ${base[1].first} ${base[1].last}`));
    // A one-field update is the change itself, with the one arrow.
    expect(await row(base[5].email).locator(".what").innerText()).toBe("Title: Director → Senior Director");
    // A cleared field reads as a removal.
    const cleared = row(base[6].email).locator(".what");
    expect(await cleared.locator("del.removed").innerText()).toBe("Platform");
    expect(await cleared.innerText()).toBe("Team: Platform (cleared)");
    // Managers by name, the email on hover.
    const names = row(base[7].email).locator(".what .person-name");
    await page.waitForFunction(() => document.querySelectorAll("table.changes tr.change-row .what .person-name").length >= 2);
    expect(await names.evaluateAll((els) => els.map((e) => e.getAttribute("title")))).toEqual([base[7].manager, base[2].email]);
    const oldManager = base.find((p) => p.email === base[7].manager)!;
    expect(await names.first().innerText()).toContain(`${oldManager.first} ${oldManager.last}`);
    expect(await row(base[8].email).locator(".what").innerText()).toBe("2 fields change: Department and Location.");
    // The loop error once in its row, with the console's arrow; no "updated:" style lead-ins.
    const loop = await row(base[13].email).locator(".what").innerText();
    expect(loop.match(/loop/gi)?.length).toBe(1);
    expect(loop).toContain("→");
    expect(loop).not.toContain("->");
    for (const text of await page.locator("table.changes tr.change-row .what").allInnerTexts()) {
      expect(text).not.toMatch(/^(new|updated|deactivated|reactivated|unchanged|not imported):/i);
    }
    await page.getByText("Blank cells keep the value already in the directory").waitFor();
    // No email wraps: each is one line box.
    const wrapped = await page.locator("table.changes .email").evaluateAll((els) => els.filter((e) => e.getClientRects().length !== 1).length);
    expect(wrapped).toBe(0);
    await page.screenshot({ path: join(docShots, "preview.png") });

    await fold.click();
    await page.waitForFunction(() => document.querySelectorAll('tbody[data-group="unchanged"] tr.change-row').length === 49);

    // A chosen kind shows alone.
    await page.locator('.segment[data-kind="deactivated"]').click();
    await page.waitForFunction(() => document.querySelectorAll("table.changes tr.change-row").length === 2);
    expect(await page.locator("table.changes tr.change-row .what").first().innerText()).toBe("The status in the file is Inactive.");
    await approve();
  });

  it("bulk deactivates two people chosen with shift", async () => {
    await page.getByRole("link", { name: "Directory" }).click();
    await page.getByTestId("billable").getByText("60").waitFor();
    // Department and location filters offer the values present.
    await page.waitForFunction(() => document.querySelectorAll("#people-department option").length > 1);
    const departments = await page.getByLabel("Department").locator("option").allInnerTexts();
    expect(departments).toEqual(["All departments", "Engineering", "Executive", "Finance", "Operations", "Sales"]);
    await page.getByLabel("Location").selectOption("Toronto");
    await page.waitForFunction(() => [...document.querySelectorAll("table.people tbody tr td:nth-child(7)")].every((td) => td.textContent === "Toronto"));
    expect(await page.locator("table.people tbody tr").count()).toBeGreaterThan(10);
    await page.getByLabel("Location").selectOption("");
    await page.waitForFunction(() => document.querySelectorAll("table.people tbody tr").length === 60);

    const boxes = page.locator("table.people tbody .col-select input");
    // Shift selects the range: rows 3 to 5 are three people; clearing starts over.
    await boxes.nth(2).click();
    await boxes.nth(4).click({ modifiers: ["Shift"] });
    await page.locator(".bulk-bar").getByText("3 people selected").waitFor();
    await page.getByRole("button", { name: "Clear selection" }).click();
    expect(await page.locator(".bulk-bar").count()).toBe(0);

    await boxes.nth(0).click();
    await boxes.nth(1).click({ modifiers: ["Shift"] });
    await page.locator(".bulk-bar").getByText("2 people selected").waitFor();
    const chosen = await page.locator("table.people tbody tr.selected td:nth-child(2) a").allInnerTexts();
    expect(chosen).toHaveLength(2);
    // No Deactivate button on every row: actions sit in a row menu.
    expect(await page.locator("table.people tbody").getByRole("button", { name: /^Deactivate/ }).count()).toBe(0);
    await page.getByRole("button", { name: `Actions for ${chosen[0]}` }).click();
    await page.getByRole("menuitem", { name: "Edit profile" }).waitFor();
    await page.screenshot({ path: join(docShots, "directory.png") });
    await page.keyboard.press("Escape");

    await page.locator(".bulk-bar").getByRole("button", { name: "Deactivate…" }).click();
    const dialog = page.getByRole("dialog", { name: "Deactivate 2 people?" });
    await dialog.getByText(`${chosen[0]} and ${chosen[1]}.`).waitFor();
    await dialog.getByRole("button", { name: "Deactivate 2 people" }).click();
    await page.getByText("2 people deactivated.").waitFor();
    await page.getByTestId("billable").getByText("58").waitFor();
    await page.getByLabel("Status").selectOption({ label: "Deactivated" });
    await page.waitForFunction((names) => {
      const shown = [...document.querySelectorAll("table.people tbody tr td:nth-child(2) a")].map((a) => a.textContent);
      return names.every((n) => shown.includes(n)) && !document.querySelector('table.people .badge.status-good');
    }, chosen);

    // And back, in bulk too.
    for (const name of chosen) await page.getByLabel(`Select ${name}`).check();
    await page.locator(".bulk-bar").getByRole("button", { name: "Reactivate…" }).click();
    await page.getByRole("dialog", { name: "Reactivate 2 people?" }).getByRole("button", { name: "Reactivate 2 people" }).click();
    await page.getByText("2 people reactivated.").waitFor();
    await page.getByTestId("billable").getByText("60").waitFor();
  });

  it("sends welcome mails to two selected people; they reach the mail log", async () => {
    await page.getByLabel("Status").selectOption({ label: "Active" });
    await page.getByLabel("Name or email").fill("costa");
    await page.waitForFunction(() => {
      const emails = [...document.querySelectorAll("table.people tbody tr td:nth-child(3)")].map((td) => td.textContent ?? "");
      return emails.length >= 2 && emails.every((e) => e.includes("costa"));
    });
    const boxes = page.locator("table.people tbody .col-select input");
    await boxes.nth(0).click();
    await boxes.nth(1).click({ modifiers: ["Shift"] });
    const emails = await page.locator("table.people tbody tr.selected td:nth-child(3)").allInnerTexts();
    expect(emails).toHaveLength(2);
    expect(await page.locator("table.people tbody tr.selected .not-invited").count()).toBe(2);
    await page.locator(".bulk-bar").getByRole("button", { name: "Send welcome mails…" }).click();
    const dialog = page.getByRole("dialog", { name: "Send welcome mails to 2 people?" });
    await dialog.getByRole("button", { name: "Send 2 welcome mails" }).click();
    await page.getByText(/^Welcome mails are on their way to 2 people: /).waitFor();
    const log = await mailLogHas(emails);
    expect(log).toContain("password");
    // Invited now: the note is gone for them.
    await page.waitForFunction((sent) => [...document.querySelectorAll("table.people tbody tr")]
      .filter((r) => sent.includes(r.querySelector("td:nth-child(3)")?.textContent ?? ""))
      .every((r) => !r.querySelector(".not-invited")), emails);
  });

  it("changes the import defaults and sees an upload use them", async () => {
    await page.getByRole("link", { name: "Import", exact: true }).click();
    await page.getByRole("button", { name: "Configuration…" }).click();
    const config = page.locator("form.configuration");
    await config.getByText("Nothing saved yet: the built-in defaults apply.").waitFor();
    // Each option is explained.
    expect(await config.locator(".option .help").count()).toBe(7);
    await config.getByLabel("Deactivate people missing from the file").check();
    await config.getByLabel("Reactivate people in the file").uncheck();
    await page.screenshot({ path: join(docShots, "import-configuration.png") });
    await config.getByRole("button", { name: "Save configuration" }).click();
    await page.getByText("Configuration saved. Uploads start from it from now on.").waitFor();
    // The upload's own options start from the configuration.
    expect(await page.getByLabel("Deactivate people missing from the file").isChecked()).toBe(true);
    expect(await page.getByLabel("Reactivate people in the file").isChecked()).toBe(false);

    const few = acmeFile(base.slice(0, 5));
    await page.getByLabel("Paste CSV text").check();
    await page.getByLabel("CSV text, header row first").fill(few);
    await page.getByRole("button", { name: "Upload and preview" }).click();
    await page.waitForURL(/\/imports\/\d+$/);
    await page.getByText("Awaiting approval", { exact: true }).waitFor({ timeout: 60_000 });
    const used = page.locator("details.options-used");
    await used.getByText("Options used: the company's import configuration").waitFor();
    await used.locator("summary").click();
    await used.getByText("Deactivate people missing from the file: on").waitFor();
    await used.getByText("Reactivate people in the file: off").waitFor();
    expect(Number(await page.locator('.segment[data-kind="deactivated"] .segment-count').innerText())).toBeGreaterThan(40);
    await page.getByRole("button", { name: "Reject…" }).click();
    await page.getByRole("dialog", { name: "Reject this import?" }).getByRole("button", { name: "Reject import" }).click();
    await page.getByText("Rejected: nothing was changed.").waitFor();

    // Back to the built-in behaviour for the tests after this one.
    await page.getByRole("link", { name: "Import", exact: true }).click();
    await page.getByRole("button", { name: "Configuration…" }).click();
    await config.getByLabel("Deactivate people missing from the file").uncheck();
    await config.getByLabel("Reactivate people in the file").check();
    await config.getByRole("button", { name: "Save configuration" }).click();
    await page.getByText("Configuration saved. Uploads start from it from now on.").waitFor();
  });

  it("creates an integration, fetches a preview, then enables automatic runs", async () => {
    const export_ = acmeFile([...base, { ...base[0], first: "Quinn", last: "Hr", title: "Analyst", email: "quinn.hr@acme.example", manager: base[1].email }]);
    hrServer = createServer((req, res) => {
      if (req.url !== "/people.csv") return void res.writeHead(404).end();
      res.writeHead(200, { "Content-Type": "text/csv" }).end(export_);
    });
    const port = await new Promise<number>((ok) => hrServer!.listen(0, "127.0.0.1", () => ok((hrServer!.address() as { port: number }).port)));

    await page.getByRole("link", { name: "Integrations" }).click();
    await page.getByRole("button", { name: "New integration" }).click();
    const form = page.locator("form.integration-form");
    await form.getByLabel("Name (required)").fill("HR export");
    await form.getByLabel("File URL (required)").fill(`http://127.0.0.1:${port}/people.csv`);
    // The seeds' safe order: no auto-apply until the admin decides, and it says why.
    expect(await form.getByLabel("Apply changes without waiting for approval").isChecked()).toBe(false);
    await form.getByText(/^Left off on purpose: every run then waits for your approval/).waitFor();
    await form.getByRole("button", { name: "Create integration" }).click();
    const row = page.locator("table.integrations tbody tr", { hasText: "HR export" });
    await row.locator(".runs-note").getByText("Automatic runs off.").waitFor();
    expect(await row.getByRole("button", { name: "Sync now" }).count()).toBe(0);

    await row.getByRole("button", { name: "Fetch a preview of HR export" }).click();
    await row.getByText("The preview is ready. Nothing is applied until you approve it.").waitFor({ timeout: 60_000 });
    await page.screenshot({ path: join(docShots, "integrations.png") });
    await row.getByRole("link", { name: "Open the preview" }).click();
    await page.getByText("Awaiting approval", { exact: true }).waitFor({ timeout: 60_000 });
    expect(Number(await page.locator('.segment[data-kind="new"] .segment-count').innerText())).toBe(1);
    expect(await row.count()).toBe(0);

    await page.getByRole("link", { name: "Integrations" }).click();
    await row.getByRole("button", { name: "Enable automatic runs…" }).click();
    const dialog = page.getByRole("dialog", { name: "Turn on automatic runs?" });
    await dialog.getByText("HR export will run on its schedule; each run waits for an admin to approve its preview.").waitFor();
    expect(await dialog.getByLabel("Apply changes without waiting for approval").isChecked()).toBe(false);
    await dialog.getByRole("button", { name: "Turn on automatic runs" }).click();
    await row.getByText("Automatic runs are on; each run waits for approval.").waitFor();
    await row.locator(".runs-note").getByText("Automatic runs on.").waitFor();
    await row.getByRole("button", { name: "Sync now" }).waitFor();
  });

  it("reverts an import after a hand deactivation: the person stays inactive, with a kept warning; HR-owned fields pause BambooHR first", async () => {
    const lea = base[5];
    const name = `${lea.first} ${lea.last}`;
    await page.getByRole("link", { name: "Directory" }).click();
    await page.getByLabel("Status").selectOption({ label: "Active" });
    await page.getByLabel("Name or email").fill(lea.email);
    await page.waitForFunction((email) => {
      const cells = [...document.querySelectorAll("table.people tbody tr td:nth-child(3)")];
      return cells.length === 1 && cells[0].textContent === email;
    }, lea.email);
    await page.getByRole("button", { name: `Actions for ${name}` }).click();
    await page.getByRole("menuitem", { name: "Deactivate…" }).click();
    await page.getByRole("dialog", { name: "Deactivate this person?" }).getByRole("button", { name: "Deactivate" }).click();
    await page.getByText(`${name} is deactivated.`).waitFor();

    // A BambooHR integration now owns titles (it never runs: automatic runs are off).
    await page.getByRole("link", { name: "Integrations" }).click();
    await page.getByRole("button", { name: "New integration" }).click();
    const form = page.locator("form.integration-form");
    await form.getByLabel("Source").selectOption({ label: "BambooHR" });
    await form.getByLabel("Name (required)").fill("BambooHR");
    await form.getByLabel("Company subdomain (required)").fill("acme");
    await form.getByLabel("API address").fill("http://127.0.0.1:9");
    await form.getByLabel("API key (required)").fill("never-used-key");
    await form.getByRole("button", { name: "Create integration" }).click();
    const hr = page.locator("table.integrations tbody tr", { hasText: "BambooHR" });
    await hr.locator(".runs-note").getByText("Automatic runs off.").waitFor();

    // The import that changed her title, reverted: the dialog says first what stays, and
    // that BambooHR owns the titles it sets.
    await page.goto(stack.baseURL + secondImportPath);
    await page.getByRole("button", { name: "Revert this import…" }).click();
    const dialog = page.getByRole("dialog", { name: "Revert this import?" });
    await dialog.getByText(/changed after this import and (is|are) kept as/).waitFor();
    await dialog.getByText(new RegExp(`^${name}: Status stays Inactive \\(changed by `)).waitFor();
    const owned = dialog.locator(".alert-warning", { hasText: "Fields owned by an HR integration" });
    await owned.getByText(/sets them again/).waitFor();
    expect(await owned.getByLabel("Pause the integration first (BambooHR)").isChecked()).toBe(true);
    await dialog.getByRole("button", { name: "Prepare revert" }).click();
    await page.getByText("Revert · started by", { exact: false }).waitFor();
    await page.getByText("Awaiting approval", { exact: true }).waitFor({ timeout: 60_000 });
    // Not reactivated: her row only brings the title back, and says the status is kept.
    const r = row(lea.email);
    expect(await r.locator(".badge").innerText()).toBe("Updated");
    expect(await r.locator(".what").innerText()).toMatch(/^Title: Senior Director → Director · 1 warning$/);
    await r.getByRole("button", { name: `Show details for ${name}` }).click();
    await page.locator(".problems-warning", { hasText: "kept" }).waitFor();
    await page.locator(".alert-warning", { hasText: "Notes about the file" }).getByText(/kept because someone changed them/).waitFor();

    // Paused first, so it does not set the titles again; then removed for the tests after.
    await page.getByRole("link", { name: "Integrations" }).click();
    await hr.locator(".badge", { hasText: "Paused" }).waitFor();
    await hr.getByRole("button", { name: "Delete BambooHR" }).click();
    await page.getByRole("dialog", { name: "Delete this integration?" }).getByRole("button", { name: "Delete" }).click();
    await page.getByText("Deleted BambooHR. Its imports stay in the history.").waitFor();
  });

  it("adds a person with a welcome email and finds it in the mail log", async () => {
    await page.getByRole("link", { name: "Directory" }).click();
    await page.getByRole("button", { name: "+ Add person" }).click();
    const form = page.locator("form.add-person");
    await form.getByRole("button", { name: "Add person" }).click();
    await form.getByText("Enter the first name.").waitFor();
    await form.getByText("Enter the login email.").waitFor();
    expect(await form.getByLabel("Send welcome email").isChecked()).toBe(true);
    await form.getByLabel("First name (required)").fill("Mia");
    await form.getByLabel("Last name (required)").fill("Neumann");
    await form.getByLabel("Login email (required)").fill("mia.neumann@acme");
    await form.getByRole("button", { name: "Add person" }).click();
    await form.getByText('"mia.neumann@acme" is not an email address, e.g. ann.lee@example.com.').waitFor();
    await form.getByLabel("Login email (required)").fill("mia.neumann@acme.example");
    await form.getByLabel("Title").fill("Engineer");
    // The manager is chosen by name.
    await form.getByRole("combobox", { name: "Manager (optional)" }).fill(base[1].first);
    await form.getByRole("option", { name: new RegExp(`${base[1].first} ${base[1].last}`) }).click();
    await form.getByText(`Chosen: ${base[1].first} ${base[1].last} (${base[1].email})`).waitFor();
    await form.getByRole("button", { name: "Add person" }).click();
    await page.getByText("Mia Neumann is added. A welcome email is on its way.").waitFor();
    await mailLogHas(["mia.neumann@acme.example"]);

    await page.getByLabel("Name or email").fill("mia.neumann");
    await page.waitForFunction(() => document.querySelectorAll("table.people tbody tr").length === 1);
    const added = page.locator("table.people tbody tr", { hasText: "Mia Neumann" });
    await added.getByText("Engineer").waitFor();
    // Her manager is not on this page and still shows by name.
    expect(await added.locator(".person-name").getAttribute("title")).toBe(base[1].email);

    // A password mail later, from her page.
    await added.getByRole("link", { name: "Mia Neumann" }).click();
    await page.getByRole("button", { name: /^Send password mail/ }).click();
    await page.getByText("A password mail is on its way to Mia Neumann.").waitFor();
    // Her second mail: the welcome one and now the password one.
    await mailLogHas(["mia.neumann@acme.example"], 2);
  });

  it("groups unknown managers with a suggestion, flags an uncommon domain and links a duplicate to the merge", async () => {
    // The seeds' troubleshooting: five reports name joe@ while Joe is joe.smith@; a gmail
    // address; a second Ida Berg with another email.
    const joe = base[2];
    const rows = base.map((p, i) => (i >= 20 && i < 25 ? { ...p, manager: "joe@acme.example" } : p));
    const extra = [
      { ...base[0], first: "Pat", last: "Private", title: "Analyst", email: "pat.private@gmail.example", manager: base[1].email },
      { ...base[1], email: "ida.b@acme.example", manager: base[0].email, title: "Director" },
    ];
    const file = acmeFile([...rows, ...extra]);
    await pasteImport(file);
    const hints = page.locator("section.hints");
    const unknown = hints.locator('li[data-code="unknown_manager"]');
    await unknown.getByText(`5 rows name the manager joe@acme.example`, { exact: false }).waitFor();
    await unknown.getByText(`did you mean ${joe.first} ${joe.last} (${joe.email})`, { exact: false }).waitFor();
    expect(await unknown.getByRole("link", { name: new RegExp(`^${joe.first} ${joe.last}`) }).count()).toBe(1);
    await hints.locator('li[data-code="uncommon_domain"]').getByText("gmail.example", { exact: false }).first().waitFor();
    const dup = hints.locator('li[data-code="possible_duplicate"]');
    await dup.getByText(`${base[1].first} ${base[1].last}`, { exact: false }).first().waitFor();
    // One of the two is only in the file: no merge yet.
    expect(await dup.getByRole("link", { name: "Merge…" }).count()).toBe(0);
    await approve();

    // Both accounts exist now: the same file again offers the merge.
    await pasteImport(file);
    const merge = page.locator('section.hints li[data-code="possible_duplicate"]').getByRole("link", { name: "Merge…" });
    await merge.click();
    await page.waitForURL(/\/people\/\d+\?merge=\d+$/);
    const dialog = page.getByRole("dialog", { name: "Merge into another account?" });
    await dialog.getByText(/^Chosen: Ida Berg \(ida\.(berg|b)@acme\.example\)$/).waitFor();
    await dialog.getByRole("button", { name: "Check what moves" }).click();
    await dialog.getByText(/^Merging would move /).waitFor();
    await dialog.getByRole("button", { name: "Cancel" }).click();
  });
});
