// Starts a real staffsync dev stack (PostgreSQL, Temporal, worker, API + console) and a
// headless Debian Chromium for the end-to-end tests.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { chromium, type BrowserContext } from "playwright-core";

export const repoRoot = resolve(import.meta.dirname, "..", "..");
export const screenshotDir = resolve(import.meta.dirname, "screenshots");

export interface Stack {
  baseURL: string;
  token: string;
  dir: string;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const srv = createServer();
    srv.unref();
    srv.on("error", fail);
    srv.listen(0, "127.0.0.1", () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => ok(port));
    });
  });
}

async function waitFor<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>, logs: () => string, alive: () => boolean): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (!alive()) throw new Error(`staffsync dev exited while waiting for ${what}; output:\n${logs()}`);
    const v = await probe().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; server output:\n${logs()}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/**
 * Builds ./cmd/staffsync (or uses STAFFSYNC_BIN) and runs `staffsync dev` on free ports;
 * extraArgs go to `staffsync dev` (e.g. --fake-hris).
 */
export async function startStack(extraArgs: string[] = []): Promise<Stack> {
  const dir = mkdtempSync(join(tmpdir(), "staffsync-web-e2e-"));
  let bin = process.env.STAFFSYNC_BIN ?? "";
  if (!bin) {
    bin = join(dir, "staffsync");
    const build = spawnSync("go", ["build", "-o", bin, "./cmd/staffsync"], { cwd: repoRoot, encoding: "utf8" });
    if (build.status !== 0) throw new Error(`go build ./cmd/staffsync failed:\n${build.stderr}`);
  }
  const [pg, temporal, ui, api, sftp] = [await freePort(), await freePort(), await freePort(), await freePort(), await freePort()];
  const apiAddr = `127.0.0.1:${api}`;
  const extra: string[] = [];
  // The hosted SFTP drop listens on a fixed port by default; a free one keeps the test
  // independent of a `staffsync dev` the developer has running.
  const help = spawnSync(bin, ["dev", "-h"], { encoding: "utf8" });
  if (`${help.stdout}${help.stderr}`.includes("-sftp-addr")) extra.push("--sftp-addr", `127.0.0.1:${sftp}`);
  let output = "";
  const child: ChildProcess = spawn(
    bin,
    ["dev", "--dir", join(dir, "data"), "--pg-port", `${pg}`, "--temporal-port", `${temporal}`, "--ui-port", `${ui}`, "--api-addr", apiAddr, ...extra, ...extraArgs],
    // From the checkout, so staffsync finds the temporal CLI that `make tools` put in .bin/.
    { cwd: repoRoot, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, PATH: `${join(repoRoot, ".bin")}:${process.env.PATH}` } },
  );
  const keep = (b: Buffer) => {
    output = (output + b.toString()).slice(-8000);
  };
  child.stdout!.on("data", keep);
  child.stderr!.on("data", keep);
  const exited = new Promise<void>((r) => child.on("exit", () => r()));
  const stop = async () => {
    if (child.exitCode === null) {
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const baseURL = `http://${apiAddr}`;
    const alive = () => child.exitCode === null;
    await waitFor("the API to become healthy", 120_000, async () => {
      const res = await fetch(`${baseURL}/healthz`);
      return res.ok ? true : undefined;
    }, () => output, alive);
    const tokenFile = join(dir, "data", "token");
    const token = await waitFor("the dev token", 10_000, async () =>
      existsSync(tokenFile) ? readFileSync(tokenFile, "utf8").trim() || undefined : undefined, () => output, alive);
    return { baseURL, token, dir, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** Debian's chromium, never a downloaded browser, with a fresh profile. */
export async function startBrowser(dir: string): Promise<BrowserContext> {
  const profile = join(dir, "chromium-profile");
  mkdirSync(profile, { recursive: true });
  mkdirSync(screenshotDir, { recursive: true });
  return chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    headless: true,
    viewport: { width: 1366, height: 900 },
    acceptDownloads: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}
