// BambooHR profile photos in the console (issue 20): with the integration option on, the
// directory shows each linked person's photo, fetched from the API with the admin's token;
// turning it off brings the default pictures (initials) back. The photo bytes come from
// the browser's network layer here (the dev stack's fake BambooHR has no photos); the
// server's own e2e test covers serving them through the API.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { screenshotDir, startBrowser, startStack, type Stack } from "./stack";

let stack: Stack;
let browser: BrowserContext;
let page: Page;

// A 1x1 PNG.
const png = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGNgYPj/HwADAgH/eL9GtQAAAABJRU5ErkJggg==", "base64");

beforeAll(async () => {
  stack = await startStack(["--fake-hris"]);
  browser = await startBrowser(stack.dir);
  page = browser.pages()[0] ?? (await browser.newPage());
  page.setDefaultTimeout(30_000);
  await page.goto(stack.baseURL + "/");
  await page.getByLabel("Admin token").fill(stack.token);
  await page.getByRole("button", { name: "Sign in with the token" }).click();
  await page.getByRole("heading", { name: "Import people" }).waitFor();
});

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

afterEach(async ({ task }) => {
  if (task.result?.state === "fail" && page) {
    await page.screenshot({ path: join(screenshotDir, `failed-photos-${task.name.replace(/[^a-z0-9]+/gi, "-").slice(0, 50)}.png`), fullPage: true }).catch(() => {});
  }
});

describe("HR photos", () => {
  it("shows BambooHR photos when the option is on and the default pictures when it is off", async () => {
    const addrs = readFileSync(join(stack.dir, "data", "fake_hris_addrs"), "utf8");
    const bamboo = /^bamboohr=(\S+)$/m.exec(addrs)![1];
    const authorizations: string[] = [];
    await page.route("**/v1/people/*/photo*", async (route) => {
      authorizations.push(route.request().headers()["authorization"] ?? "");
      await route.fulfill({ status: 200, contentType: "image/png", body: png });
    });

    await page.getByRole("link", { name: "Integrations" }).click();
    await page.getByRole("button", { name: "New integration" }).click();
    const form = page.locator("form.integration-form");
    await form.getByLabel("Source").selectOption({ label: "BambooHR" });
    await form.getByLabel("Name (required)").fill("BambooHR");
    await form.getByLabel("Company subdomain (required)").fill("acme");
    await form.getByLabel("API address").fill(`http://${bamboo}`);
    await form.getByLabel("API key (required)").fill("demo-bamboohr-api-key");
    await form.getByLabel("Show BambooHR employee photos").check();
    await form.getByRole("button", { name: "Create integration" }).click();
    const row = page.locator("table.integrations tbody tr", { hasText: "BambooHR" });
    await row.getByRole("button", { name: "Fetch a preview of BambooHR" }).click();
    await row.getByRole("link", { name: "Open the preview" }).click({ timeout: 60_000 });
    await page.getByText("Awaiting approval", { exact: true }).waitFor({ timeout: 60_000 });
    await page.getByRole("button", { name: "Approve…" }).click();
    await page.getByRole("dialog", { name: "Apply this import?" }).getByRole("button", { name: "Apply changes" }).click();
    await page.getByText("Applied: the directory now matches the approved preview.").waitFor({ timeout: 60_000 });

    await page.getByRole("link", { name: "Directory" }).click();
    await page.waitForFunction(() => document.querySelectorAll('table.people img.avatar[data-photo="hr"]').length > 5);
    expect(new Set(authorizations)).toEqual(new Set([`Bearer ${stack.token}`]));

    // Off again: the default pictures come back.
    await page.getByRole("link", { name: "Integrations" }).click();
    await row.getByRole("button", { name: "Edit BambooHR" }).click();
    await page.locator("form.integration-form").getByLabel("Show BambooHR employee photos").uncheck();
    await page.locator("form.integration-form").getByRole("button", { name: "Save changes" }).click();
    await row.getByText("Saved. The next run uses the new settings.").waitFor();
    await page.getByRole("link", { name: "Directory" }).click();
    await page.locator("table.people .avatar-initials").first().waitFor();
    expect(await page.locator("table.people img.avatar").count()).toBe(0);
  });
});
