// The console against a real stack in a real browser: sign in, upload, filter, look at a
// diff, approve, see the directory; and a broken file showing its errors.
import { join } from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { repoRoot, screenshotDir, startBrowser, startStack, type Stack } from "./stack";

let stack: Stack;
let browser: BrowserContext;
let page: Page;

beforeAll(async () => {
  stack = await startStack();
  browser = await startBrowser(stack.dir);
  page = browser.pages()[0] ?? (await browser.newPage());
  page.setDefaultTimeout(30_000);
});

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

// A failing test leaves a screenshot of what the browser showed.
afterEach(async ({ task }) => {
  if (task.result?.state === "fail" && page) {
    await shot(`failed-${task.name.replace(/[^a-z0-9]+/gi, "-").slice(0, 60)}`).catch(() => {});
  }
});

async function shot(name: string) {
  await page.screenshot({ path: join(screenshotDir, `${name}.png`), fullPage: true });
}

async function upload(path: string) {
  await page.getByRole("link", { name: "Import", exact: true }).click();
  await page.locator("#file").setInputFiles(path);
  // The file goes to the streaming endpoint as the raw body, not through the StartImport RPC.
  const sent = page.waitForRequest((req) => req.method() === "POST" && new URL(req.url()).pathname === "/v1/imports/upload");
  await page.getByRole("button", { name: "Upload and preview" }).click();
  const request = await sent;
  expect(new URL(request.url()).searchParams.get("file_name")).toBe(path.split("/").pop());
  await page.waitForURL(/\/imports\/\d+$/);
}

async function segmentCount(kind: string): Promise<number> {
  const text = await page.locator(`.segment[data-kind="${kind}"] .segment-count`).innerText();
  return Number(text.replace(/,/g, ""));
}

describe("web console", () => {
  it("refuses a wrong token and signs in with the right one", async () => {
    await page.goto(stack.baseURL + "/");
    await page.getByLabel("Admin token").fill("not-a-token");
    await page.getByRole("button", { name: "Sign in with the token" }).click();
    await page.getByText("This token is not valid. Check it and try again.").waitFor();
    await page.getByLabel("Admin token").fill(stack.token);
    await page.getByRole("button", { name: "Sign in with the token" }).click();
    await page.getByRole("heading", { name: "Import people" }).waitFor();
    // Defaults of import-rules.md section 5 are preselected.
    expect(await page.getByLabel("Update existing people").isChecked()).toBe(true);
    expect(await page.getByLabel("Deactivate people missing from the file").isChecked()).toBe(false);
    expect(await page.getByLabel("Send password emails to new people").isChecked()).toBe(false);
    await shot("import-page");
    const [template] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Download CSV" }).click()]);
    expect(template.suggestedFilename()).toMatch(/\.csv$/);
  });

  it("uploads people.csv, filters, shows a diff, approves and lists the people", async () => {
    await upload(join(repoRoot, "examples", "people.csv"));
    await page.getByText("Awaiting approval", { exact: true }).waitFor();
    expect(await segmentCount("new")).toBe(30);

    await page.locator('.segment[data-kind="new"]').click();
    expect(await page.locator('.segment[data-kind="new"]').getAttribute("aria-pressed")).toBe("true");
    await page.waitForFunction(() => document.querySelectorAll("table.changes tr.change-row").length === 30);
    const kinds = await page.locator("table.changes tr.change-row .badge").allInnerTexts();
    expect(new Set(kinds)).toEqual(new Set(["New"]));

    await page.getByLabel("Search name or email").fill("amara");
    await page.waitForFunction(() => document.querySelectorAll("table.changes tr.change-row").length === 1);
    // By keyboard: the expander is a real button.
    await page.getByRole("button", { name: "Show details for Amara Okafor" }).focus();
    await page.keyboard.press("Enter");
    expect(await page.getByRole("button", { name: "Hide details for Amara Okafor" }).getAttribute("aria-expanded")).toBe("true");
    const diff = page.locator("table.diff");
    await diff.waitFor();
    expect(await diff.locator("tr", { hasText: "Title" }).locator("td.new").innerText()).toBe("Head of People");
    // Managers show by name, with the email on hover.
    const manager = diff.locator("tr", { hasText: "Manager Email" }).locator("td.new .person-name");
    expect(await manager.getAttribute("title")).toBe("ingrid.halvorsen@northwind.example");
    expect(await manager.innerText()).toContain("Ingrid Halvorsen");
    await shot("preview-new");
    expect(await page.locator("footer").innerText()).toMatch(/^Times are in [A-Za-z_+\-/0-9]+\.$/);
    // The default approval timeout: a week from the preview.
    const deadline = await page.getByText(/^Decide by \d{4}-\d{2}-\d{2} \d{2}:\d{2}: after that the import expires/).innerText();
    const days = (Date.parse(deadline.slice("Decide by ".length, "Decide by ".length + 16).replace(" ", "T")) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(6.9);
    expect(days).toBeLessThan(7.1);

    await page.getByRole("button", { name: "Approve…" }).click();
    const dialog = page.getByRole("dialog", { name: "Apply this import?" });
    await dialog.getByText("This will add 30 people.").waitFor();
    await dialog.getByRole("button", { name: "Apply changes" }).click();
    await page.getByText("Applied: the directory now matches the approved preview.").waitFor({ timeout: 60_000 });
    await shot("applied");

    await page.getByRole("link", { name: "Directory" }).click();
    await page.getByTestId("billable").getByText("30").waitFor();
    await page.locator("table.people tbody tr", { hasText: "Amara Okafor" }).getByText("Head of People").waitFor();
    await page.getByLabel("Department").selectOption("Finance");
    await page.waitForFunction(() => document.querySelectorAll("table.people tbody tr").length === 2);
    await shot("directory");
    const [exported] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "XLSX" }).click()]);
    expect(exported.suggestedFilename()).toMatch(/\.xlsx$/);

    await page.getByRole("link", { name: "History" }).click();
    await page.getByRole("link", { name: "people.csv" }).waitFor();
    await page.locator("table.history tbody tr", { hasText: "people.csv" }).getByText("Applied").waitFor();
  });

  it("previews a second file with updates and rejects it", async () => {
    await upload(join(repoRoot, "examples", "people-changes.csv"));
    await page.getByText("Awaiting approval", { exact: true }).waitFor();
    const updated = await segmentCount("updated");
    expect(updated).toBeGreaterThan(0);
    await page.locator('.segment[data-kind="updated"]').click();
    await page.waitForFunction((n) => document.querySelectorAll("table.changes tr.change-row").length === n, updated);
    expect(new Set(await page.locator("table.changes tr.change-row .badge").allInnerTexts())).toEqual(new Set(["Updated"]));
    await page.locator("table.changes tbody .expander").first().click();
    const oldValue = await page.locator("table.diff td.old").first().innerText();
    const newValue = await page.locator("table.diff td.new").first().innerText();
    expect(oldValue).not.toBe(newValue);
    await shot("preview-changes");

    await page.getByRole("button", { name: "Reject…" }).click();
    const dialog = page.getByRole("dialog", { name: "Reject this import?" });
    await dialog.getByLabel("Reason (optional, kept in the history)").fill("wrong export");
    await dialog.getByRole("button", { name: "Reject import" }).click();
    await page.getByText("Rejected: nothing was changed.").waitFor();
    await page.getByText("wrong export").first().waitFor();
  });

  it("diagnoses an import: the rows not imported, with the reason", async () => {
    await page.getByRole("link", { name: "Import", exact: true }).click();
    await page.getByLabel("Paste CSV text").check();
    await page.getByLabel("CSV text, header row first").fill("First Name,Last Name,Login Email\nAda,Broken,not-an-email\n");
    await page.getByRole("button", { name: "Upload and preview" }).click();
    await page.waitForURL(/\/imports\/\d+$/);
    await page.getByText("Awaiting approval", { exact: true }).waitFor();
    const diagnosis = page.getByTestId("diagnosis");
    await diagnosis.getByRole("heading", { name: "Not imported from the file (1)" }).waitFor();
    await diagnosis.getByRole("heading", { name: "In staffsync but not in the file (0)" }).waitFor();
    const row = diagnosis.locator("table.diagnosis-table tbody tr");
    expect(await row.count()).toBe(1);
    expect(await row.innerText()).toContain("Ada Broken");
    expect(await row.innerText()).toContain("not a valid email address");
    await shot("diagnosis");
    await page.getByRole("button", { name: "Reject…" }).click();
    await page.getByRole("dialog", { name: "Reject this import?" }).getByRole("button", { name: "Reject import" }).click();
    await page.getByText("Rejected: nothing was changed.").waitFor();
  });

  it("shows what to fix for a broken file", async () => {
    await page.getByRole("link", { name: "Import", exact: true }).click();
    await page.locator("#file").setInputFiles({ name: "notes.pdf", mimeType: "application/pdf", buffer: Buffer.from("%PDF-1.4") });
    await page.getByText('"notes.pdf" is not a CSV or XLSX file.').waitFor();

    await page.getByLabel("Paste CSV text").check();
    await page.getByLabel("CSV text, header row first").fill("Name,Mail\nAda,ada@example.com\n");
    await page.getByRole("button", { name: "Upload and preview" }).click();
    await page.waitForURL(/\/imports\/\d+$/);
    const panel = page.locator(".alert-error", { hasText: "The file could not be imported. Nothing was changed." });
    await panel.waitFor({ timeout: 60_000 });
    const message = await panel.locator(".file-error").innerText();
    expect(message.length).toBeGreaterThan(10);
    await shot("broken-file");
  });

  it("deactivates and reactivates a person from the directory", async () => {
    await page.getByRole("link", { name: "Directory" }).click();
    await page.getByTestId("billable").getByText("30").waitFor();
    await page.getByLabel("Department").selectOption("");
    await page.getByLabel("Name or email").fill("noah.tremblay");
    await page.waitForFunction(() => document.querySelectorAll("table.people tbody tr").length === 1);
    await page.getByRole("button", { name: "Actions for Noah Tremblay" }).click();
    await page.getByRole("menuitem", { name: "Deactivate…" }).click();
    const dialog = page.getByRole("dialog", { name: "Deactivate this person?" });
    await dialog.getByRole("button", { name: "Deactivate" }).click();
    await page.getByText("Noah Tremblay is deactivated.").waitFor();
    await page.getByTestId("billable").getByText("29").waitFor();
    await page.getByLabel("Status").selectOption({ label: "Everyone" });
    await page.getByRole("button", { name: "Actions for Noah Tremblay" }).click();
    await page.getByRole("menuitem", { name: "Reactivate…" }).click();
    await page.getByRole("dialog", { name: "Reactivate this person?" }).getByRole("button", { name: "Reactivate" }).click();
    await page.getByText("Noah Tremblay is reactivated.").waitFor();
    await page.getByTestId("billable").getByText("30").waitFor();
  });

  it("opens a person, edits a field and shows it in their history", async () => {
    await page.getByRole("link", { name: "Directory" }).click();
    await page.getByLabel("Name or email").fill("noah.tremblay");
    await page.waitForFunction(() => document.querySelectorAll("table.people tbody tr").length === 1);
    await page.getByRole("link", { name: "Noah Tremblay" }).click();
    await page.waitForURL(/\/people\/\d+$/);
    await page.getByRole("heading", { name: "Noah Tremblay" }).waitFor();
    await page.getByText("Manager:").waitFor();
    await page.getByRole("button", { name: "Edit…" }).click();
    await page.getByLabel("Title", { exact: true }).fill("Staff Engineer");
    await page.getByRole("button", { name: "Save" }).click();
    await page.getByText("Saved: Title.").waitFor();
    const entry = page.locator("ul.history > li", { hasText: "Staff Engineer" });
    await entry.waitFor();
    expect(await entry.locator("strong").innerText()).toMatch(/^Updated \d{4}-\d{2}-\d{2} \d{2}:\d{2} by /);
    expect(await page.locator("table.diff tr", { hasText: "Title" }).locator("td").innerText()).toBe("Staff Engineer");
    await shot("person");
    // The manager's page, through the link; Noah is among the direct reports there.
    await page.getByRole("link", { name: "Amara Okafor" }).click();
    await page.getByRole("heading", { name: "Amara Okafor" }).waitFor();
    await page.getByRole("link", { name: "Noah Tremblay" }).waitFor();
    expect(await page.getByText("Saved: Title.").count()).toBe(0);
  });

  it("creates a review cycle, adds people and resets the reviewers", async () => {
    await page.getByRole("link", { name: "Cycles" }).click();
    await page.getByRole("button", { name: "New cycle" }).click();
    await page.getByRole("button", { name: "Create cycle" }).click();
    await page.getByText('Give the cycle a name, e.g. "FY26 objectives".').waitFor();
    await page.getByLabel("Name (required)").fill("Annual review");
    await page.getByLabel("Kind").selectOption({ label: "Review" });
    await page.getByRole("button", { name: "Create cycle" }).click();
    await page.getByText("Created Annual review.").waitFor();
    const row = page.locator("table.cycles tbody tr", { hasText: "Annual review" });
    await row.getByRole("button", { name: "Add people to Annual review" }).click();
    const dialog = page.getByRole("dialog", { name: "Add people to Annual review" });
    await dialog.getByLabel("Login emails, one per line or separated by commas").fill("noah.tremblay@northwind.example\namara.okafor@northwind.example, noah.tremblay@northwind.example");
    await dialog.getByRole("button", { name: "Add people" }).click();
    await page.getByText("2 people joined Annual review.").waitFor();
    expect(await row.locator("td").nth(2).innerText()).toBe("2");
    await row.getByRole("button", { name: "Reset reviewers of Annual review" }).click();
    await page.getByRole("dialog", { name: "Reset the reviewers?" }).getByRole("button", { name: "Reset reviewers" }).click();
    await page.getByText(/^Annual review: \d+ reviewers? changed to the current manager\.$/).waitFor();
    await shot("cycles");
  });

  it("prepares a revert of an applied import", async () => {
    await page.getByRole("link", { name: "History" }).click();
    await page.locator("table.history tbody tr", { hasText: "Applied" }).getByRole("link", { name: "people.csv" }).click();
    await page.getByRole("button", { name: "Revert this import…" }).click();
    // The dialog first checks what the revert keeps; a server without that check starts the
    // revert at once and the console goes straight to its preview.
    const started = page.getByText("Revert · started by", { exact: false });
    const prepare = page.getByRole("dialog", { name: "Revert this import?" }).getByRole("button", { name: "Prepare revert" });
    await Promise.race([started.waitFor(), prepare.click().catch(() => {})]);
    await started.waitFor();
    await page.getByText("Awaiting approval", { exact: true }).waitFor({ timeout: 60_000 });
    // Noah's status was changed by hand after the import (previous test), so the revert keeps it.
    expect(await segmentCount("deactivated")).toBe(29);
    await page.locator(".alert-warning", { hasText: "Notes about the file" }).waitFor();
    await page.locator(".alert-warning", { hasText: "Safety guard" }).waitFor();
    await shot("revert-preview");
    await page.getByRole("button", { name: "Reject…" }).click();
    await page.getByRole("dialog", { name: "Reject this import?" }).getByRole("button", { name: "Reject import" }).click();
    await page.getByText("Rejected: nothing was changed.").waitFor();
  });

  it("creates, pauses and resumes an integration", async () => {
    await page.getByRole("link", { name: "Integrations" }).click();
    await page.getByRole("button", { name: "New integration" }).click();
    await page.getByRole("button", { name: "Create integration" }).click();
    await page.getByText('Give the integration a name, e.g. "Payroll export".').waitFor();
    await page.getByText('Fill in "File URL".').waitFor();
    await page.getByLabel("Name (required)").fill("Payroll export");
    await page.getByLabel("File URL (required)").fill("https://hr.example.invalid/people.csv");
    await page.getByLabel("Bearer token").fill("s3cret-token-1234");
    await page.getByText("Check the form").waitFor({ state: "detached" });
    expect(await page.getByLabel("Apply changes without waiting for approval").isChecked()).toBe(false);
    await shot("integration-form");
    await page.getByRole("button", { name: "Create integration" }).click();
    const row = page.locator("table.integrations tbody tr", { hasText: "Payroll export" });
    await row.getByText(/^Created with automatic runs off\./).waitFor();
    // A new integration waits for approval: auto-apply is left unticked.
    await row.locator(".runs-note").getByText("Automatic runs off.").waitFor();
    expect(await page.content()).not.toContain("s3cret-token-1234");
    await row.getByRole("button", { name: "Pause…" }).click();
    const dialog = page.getByRole("dialog", { name: "Pause this integration?" });
    await dialog.getByLabel("Reason (shown to other admins)").fill("new payroll vendor");
    await dialog.getByRole("button", { name: "Pause" }).click();
    await row.locator(".badge", { hasText: "Paused" }).waitFor();
    await row.getByText("new payroll vendor").waitFor();
    await shot("integrations");
    await row.getByRole("button", { name: "Resume" }).click();
    await row.getByText("Resumed; a sync runs now.").waitFor();

    // Edit: the token is kept unless a new one is typed; the name changes.
    await row.getByRole("button", { name: "Edit Payroll export" }).click();
    const form = page.locator("form.integration-form");
    await form.getByText("Set, ends in").first().waitFor();
    await form.getByLabel("Name (required)").fill("Payroll export (nightly)");
    await form.getByRole("button", { name: "Save changes" }).click();
    const edited = page.locator("table.integrations tbody tr", { hasText: "Payroll export (nightly)" });
    await edited.getByText("Saved. The next run uses the new settings.").waitFor();
    await shot("integration-edited");

    await edited.getByRole("button", { name: "Delete Payroll export (nightly)" }).click();
    await page.getByRole("dialog", { name: "Delete this integration?" }).getByRole("button", { name: "Delete" }).click();
    await page.getByText("Deleted Payroll export (nightly). Its imports stay in the history.").waitFor();
    expect(await page.locator("table.integrations tbody tr", { hasText: "Payroll export" }).count()).toBe(0);
  });

  // Last: it changes the directory the tests above look at.
  it("checks a merge, then deletes a deactivated person for good", async () => {
    await page.getByRole("link", { name: "Directory" }).click();
    await page.getByLabel("Name or email").fill("noah.tremblay");
    await page.waitForFunction(() => document.querySelectorAll("table.people tbody tr").length === 1);
    await page.getByRole("link", { name: "Noah Tremblay" }).click();
    await page.getByRole("heading", { name: "Noah Tremblay" }).waitFor();
    expect(await page.getByRole("button", { name: "Delete…" }).count()).toBe(0); // only deactivated people
    await page.getByRole("button", { name: "Deactivate…" }).click();
    await page.getByRole("dialog", { name: "Deactivate this person?" }).getByRole("button", { name: "Deactivate" }).click();
    await page.getByText("Noah Tremblay is deactivated.").waitFor();
    await page.getByText("noah.tremblay@northwind.example · deactivated").waitFor();

    await page.getByRole("button", { name: "Merge into another account…" }).click();
    const merge = page.getByRole("dialog", { name: "Merge into another account?" });
    // The account that stays is found by name, not typed as an email.
    await merge.getByRole("combobox", { name: "Account that stays" }).fill("amara");
    await merge.getByRole("option", { name: /Amara Okafor/ }).click();
    await merge.getByText("Chosen: Amara Okafor (amara.okafor@northwind.example)").waitFor();
    await merge.getByRole("button", { name: "Check what moves" }).click();
    await merge.getByText(/^Merging would move .* from Noah Tremblay to Amara Okafor/).waitFor();
    await merge.getByRole("button", { name: "Cancel" }).click();

    await page.getByRole("button", { name: "Delete…" }).click();
    const erase = page.getByRole("dialog", { name: "Delete this person for good?" });
    const button = erase.getByRole("button", { name: "Delete for good" });
    expect(await button.isDisabled()).toBe(true);
    await erase.getByLabel("Type noah.tremblay@northwind.example to confirm").fill("noah.tremblay@northwind.example");
    await button.click();
    await page.waitForURL(/\/directory$/);
    await page.getByLabel("Status").selectOption({ label: "Everyone" });
    await page.getByLabel("Name or email").fill("noah.tremblay");
    await page.getByText("Nobody matches these filters.").waitFor();
  });
});
