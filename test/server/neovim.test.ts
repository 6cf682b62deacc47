/** The language server with a real client: Neovim's built-in LSP client, headless, driven by a Lua script. */
import { spawnSync } from "node:child_process";
import { copyFileSync, cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, expect, it } from "vitest";
import { BIN } from "./lsp-client.js";

const SCRIPT = path.resolve(import.meta.dirname, "nvim-client.lua");
const FIXTURE = path.resolve(import.meta.dirname, "../../fixtures/server/sgd.py");
const dir = mkdtempSync(path.join(os.tmpdir(), "optim-lint-nvim-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs a Lua script in headless Neovim from `cwd` and returns the JSON result it wrote (OPTIM_LINT_RESULT). */
function runNeovim(script: string, cwd: string, env: Record<string, string>) {
  const resultPath = path.join(cwd, "result.json");
  // No Python provider: probing for it (through pyenv shims, say) can take many seconds on opening a .py file.
  const args = ["--clean", "--headless", "-u", "NONE", "--cmd", "let g:loaded_python3_provider = 0", "-c", `luafile ${script}`];
  const run = spawnSync("nvim", args, {
    cwd,
    env: { ...process.env, OPTIM_LINT_BIN: BIN, OPTIM_LINT_ROOT: cwd, OPTIM_LINT_RESULT: resultPath, ...env },
    encoding: "utf8",
    timeout: 90_000,
    killSignal: "SIGKILL",
  });
  expect(run.error, "nvim must be installed (scripts/ensure-system-deps.sh)").toBeUndefined();
  expect(existsSync(resultPath), `nvim wrote no result (status ${run.status}): ${run.stderr}`).toBe(true);
  const result = JSON.parse(readFileSync(resultPath, "utf8"));
  expect(result.error).toBeUndefined();
  return result;
}

it("shows findings in Neovim, applies the quick fix and fix-all, hovers the docs and follows a configuration change", () => {
  const file = path.join(dir, "train.py");
  copyFileSync(FIXTURE, file);
  const result = runNeovim(SCRIPT, dir, { OPTIM_LINT_FILE: file });
  expect(result.steps, JSON.stringify(result.ms)).toEqual(["diagnostics", "hover", "quickfix", "fixall", "config"]);
  expect(result.initial).toEqual([expect.objectContaining({ code: "OPT002", line: 3, col: 12, severity: 2 })]);
  expect(result.hover).toMatch(/^# sgd-missing-nesterov \(OPT002\)/);
  expect(result.actions).toEqual([
    { title: "Fix OPT002 (sgd-missing-nesterov): safe fix", kind: "quickfix" },
    { title: "Disable OPT002 for this line", kind: "quickfix" },
    { title: "optim-lint: fix all safe problems", kind: "source.fixAll.optim-lint" },
  ]);
  const expected = readFileSync(FIXTURE, "utf8").replace("momentum=0.9)", "momentum=0.9, nesterov=True)").trimEnd();
  expect(result.fixed_text).toBe(expected);
  expect(result.fix_all_text).toBe(expected);
}, 120_000);

it("re-publishes model.py in Neovim when an edit in train.py changes what its call passes", () => {
  const root = path.join(dir, "calls");
  cpSync(path.resolve(import.meta.dirname, "../../fixtures/projects/method-call"), root, { recursive: true });
  const result = runNeovim(path.resolve(import.meta.dirname, "nvim-calls.lua"), root, {});
  expect(result.steps).toEqual(["model", "train", "edit"]);
  expect(result.model_alone).toEqual([]);
  // 0-based line 48: the betas argument of the AdamW construction in configure_optimizers.
  expect(result.model_with_train).toEqual(["OPT009@48"]);
  expect(result.model_after_edit).toEqual([]);
}, 120_000);
