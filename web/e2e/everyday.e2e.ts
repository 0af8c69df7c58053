// An HR admin's everyday work (issue 20) in a real browser against a real stack: a preview of
// acme-like data that opens on its changes, and bulk actions in the directory. Screenshots for
// the README go to docs/screenshots/.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { acmeChanges, acmeFile, acmePeople } from "./acme";
import { repoRoot, screenshotDir, startBrowser, startStack, type Stack } from "./stack";

const docShots = join(repoRoot, "docs", "screenshots");

let stack: Stack;
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
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("heading", { name: "Import people" }).waitFor();
});

afterAll(async () => {
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

describe("everyday work", () => {
  it("opens a preview of acme-like data on its changes, one sentence a row", async () => {
    await pasteImport(acmeFile(base));
    await approve();

    const second = acmeChanges(base);
    await pasteImport(second.file);
    // Changes first, in the bar's order; the 49 unchanged are folded behind one button.
    await page.locator("table.changes tr.change-row").first().waitFor();
    const groups = await page.locator("table.changes tbody.group").evaluateAll((els) => els.map((e) => e.getAttribute("data-group")));
    expect(groups).toEqual(["new", "updated", "deactivated", "error", "unchanged"]);
    expect(await page.locator("table.changes tr.change-row").first().locator(".badge").innerText()).toBe("New");
    const fold = page.getByRole("button", { name: "49 unchanged – show" });
    await fold.waitFor();
    expect(await page.locator('tbody[data-group="unchanged"] tr.change-row').count()).toBe(0);
    await page.waitForFunction(() => document.querySelectorAll("table.changes tr.change-row").length === 13);

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
  });

  it("bulk deactivates two people chosen with shift", async () => {
    await page.getByRole("link", { name: "Directory" }).click();
    await page.getByTestId("billable").getByText("59").waitFor();
    // Department and location filters offer the values present.
    const departments = await page.getByLabel("Department").locator("option").allInnerTexts();
    expect(departments).toEqual(["All departments", "Engineering", "Executive", "Finance", "Operations", "Sales"]);
    await page.getByLabel("Department").selectOption("Sales");
    await page.waitForFunction((n) => document.querySelectorAll("table.people tbody tr").length === n, base.filter((p) => p.department === "Sales").length);
    await page.getByLabel("Department").selectOption("");
    await page.waitForFunction(() => document.querySelectorAll("table.people tbody tr").length === 59);

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
    const chosen = await page.locator("table.people tbody tr.selected td:nth-child(2)").allInnerTexts();
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
    await page.getByTestId("billable").getByText("57").waitFor();
    await page.getByLabel("Status").selectOption({ label: "Deactivated" });
    await page.waitForFunction(() => document.querySelectorAll("table.people tbody tr").length === 2);
    expect((await page.locator("table.people tbody tr td:nth-child(2)").allInnerTexts()).sort()).toEqual([...chosen].sort());

    // And back, in bulk too, from the header checkbox.
    await page.getByLabel("Select everyone on this page").check();
    await page.locator(".bulk-bar").getByRole("button", { name: "Reactivate…" }).click();
    await page.getByRole("dialog", { name: "Reactivate 2 people?" }).getByRole("button", { name: "Reactivate 2 people" }).click();
    await page.getByText("2 people reactivated.").waitFor();
    await page.getByTestId("billable").getByText("59").waitFor();
  });
});
