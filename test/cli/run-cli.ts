/** Helpers for end-to-end tests: build once, copy a fixture project to a temp folder, run the built binary. */
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readdirSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const FIXTURES = path.join(ROOT, "fixtures/cli");
const BIN = path.join(ROOT, "bin/optim-lint.cjs");
const BUILT_MAIN = path.join(ROOT, "dist/src/cli/main.js");

/** The newest modification time of the TypeScript sources under a folder. */
function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(full));
    else if (entry.name.endsWith(".ts")) newest = Math.max(newest, statSync(full).mtimeMs);
  }
  return newest;
}

/** Builds dist/ (the library and the CLI bundle) unless it is newer than every source. */
export function buildOnce(): void {
  const built = existsSync(BUILT_MAIN) ? statSync(BUILT_MAIN).mtimeMs : 0;
  if (built > Math.max(newestSource(path.join(ROOT, "src")), newestSource(path.join(ROOT, "rules")))) return;
  // The whole build: the binary runs the esbuild bundle, which a tsc-only build would leave stale.
  spawnSync(process.execPath, [path.join(ROOT, "scripts/build.mjs")], { cwd: ROOT, stdio: "ignore" });
  if (!existsSync(BUILT_MAIN)) throw new Error("the build did not produce dist/src/cli/main.js");
}

/** A fresh copy of a fixture project in a temp folder. */
export function copyFixture(name: string): string {
  const tmp = mkdtempSync(path.join(os.tmpdir(), `optim-lint-${name}-`));
  const project = path.join(tmp, name);
  cpSync(path.join(FIXTURES, name), project, { recursive: true });
  return project;
}

export interface CliRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `optim-lint args...` in a folder with colors off (killed after `timeout` ms, 30 s by default). Output may
 * exceed spawnSync's 1 MiB default buffer (the JSON report over every fixture does), which would kill the run.
 */
export function runCli(cwd: string, args: string[], options: { input?: string | Buffer; env?: Record<string, string>; timeout?: number } = {}): CliRun {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: "1", ...options.env };
  if (!options.env?.FORCE_COLOR) delete env.FORCE_COLOR;
  const result = spawnSync(process.execPath, [BIN, ...args], { cwd, env, input: options.input ?? "", encoding: "utf8", timeout: options.timeout ?? 30_000, maxBuffer: 64 * 1024 * 1024 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}
