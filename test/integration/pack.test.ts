/** The packed tarball installs with `npm i -g` into a temp prefix and runs without TypeScript (scripts/check-pack.sh). */
import { spawnSync } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "../cli/run-cli.js";

describe("npm pack", () => {
  it("produces a tarball that npm i -g installs and runs", () => {
    const run = spawnSync("bash", [path.join(ROOT, "scripts/check-pack.sh")], { cwd: ROOT, encoding: "utf8", timeout: 900_000 });
    expect(run.stderr).toContain("the installed optim-lint lints a scratch project");
    expect(run.status).toBe(0);
    expect(run.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  }, 900_000);
});
