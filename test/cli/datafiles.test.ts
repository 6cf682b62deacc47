/**
 * End to end: YAML and JSON files that are data or templates rather than training configs (fixtures/cli/datafiles).
 * Found by walking a folder, those that fail to parse are skipped (no notice, the exit code unchanged) and yield no
 * finding; a broken config found the same way keeps its fatal parsing error; a file named on the command line
 * always gets its error, which says what the file looks like; JSON with NaN and infinities is read.
 */
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rmSync } from "node:fs";
import { buildOnce, copyFixture, runCli } from "./run-cli.js";

let root = "";

beforeAll(() => {
  buildOnce();
  root = copyFixture("datafiles");
}, 120_000);
afterAll(() => rmSync(path.dirname(root), { recursive: true, force: true }));

interface JsonResult {
  filePath: string;
  messages: { code?: string; line: number; column: number; severity: number; fatal?: boolean; message: string }[];
}

/** Each result as its path relative to the fixture and its messages as `line:column code-or-message`. */
function results(stdout: string): [string, string[]][] {
  return (JSON.parse(stdout) as JsonResult[]).map((r) => [
    path.relative(root, r.filePath),
    r.messages.map((m) => `${m.line}:${m.column} ${m.fatal ? `fatal ${m.message}` : m.code}`),
  ]);
}

const TEMPLATE = "it looks like a template: lint the rendered file";
const DATA = "it looks like data, not a training config";

describe("data and template files found by walking a folder", () => {
  it("are skipped without a notice; the config with NaN and Infinity is read and its finding reported", () => {
    const run = runCli(root, ["-f", "json", "project"]);
    expect(run.stderr).toBe("");
    expect(results(run.stdout)).toEqual([
      ["project/charts/sweep/values.yaml", []],
      ["project/checkpoints/trainer_state.json", []],
      ["project/configs/training_args.json", ["4:3 OPT003"]],
    ]);
    // The finding is an error: exit 1 comes from it alone.
    expect(run.status).toBe(1);
  });

  it("leave the exit code to the findings: none, exit 0", () => {
    const run = runCli(root, ["project", "--ignore", "OPT003"]);
    expect([run.status, run.stdout, run.stderr]).toEqual([0, "", ""]);
  });

  it("leave broken configs found the same way with their fatal parsing errors", () => {
    const run = runCli(root, ["."]);
    expect(run.status).toBe(1);
    expect(run.stdout).toBe(
      [
        "",
        "broken/ds_config.json",
        "  7:7  error  Parsing error: a comma was expected (invalid JSON)",
        "",
        // Its tag made the walk parse it to decide: a key a config sets, so a broken config.
        "broken/optimizer.yaml",
        "  6:1  error  Parsing error: All mapping items must start at the same column (invalid YAML)",
        "",
        "project/configs/training_args.json",
        "  4:3  error  learning_rate=0.5 is far above the typical range for AdamW (adam family: 1e-6 to 0.003); steps this large usually make training diverge. Start near 0.001 and tune from there  OPT003 lr-out-of-range",
        "",
        "✖ 3 problems (3 errors, 0 warnings)",
        "Fix first (learning rate): OPT003 lr-out-of-range at project/configs/training_args.json:4:3",
        "",
        "",
      ].join("\n"),
    );
  });
});

describe("data and template files named on the command line", () => {
  it("get a fatal parsing error that says what the file looks like (exit 1)", () => {
    const named = [
      "project/charts/sweep/templates/pytorchjob.yaml",
      "project/configs/finetune.jinja.yaml",
      "project/data/instructions.json",
      "project/deepspeed/ds_config_gpt_TEMPLATE.json",
      "project/deploy/sweep_log.yaml",
    ];
    const run = runCli(root, ["-f", "json", ...named]);
    expect(run.status).toBe(1);
    expect(results(run.stdout)).toEqual([
      [
        named[0],
        [
          `2:3 fatal Parsing error: Block collections are not allowed within flow collections (invalid YAML; ${TEMPLATE})`,
          `8:29 fatal Parsing error: Unexpected scalar at node end (invalid YAML; ${TEMPLATE})`,
        ],
      ],
      [named[1], [`6:2 fatal Parsing error: Plain value cannot start with directive indicator character % (invalid YAML; ${TEMPLATE})`]],
      [named[2], [`2:1 fatal Parsing error: nothing may follow the top-level value (invalid JSON; ${DATA})`]],
      [named[3], [`2:23 fatal Parsing error: unexpected character (invalid JSON; ${TEMPLATE})`]],
      [named[4], [`8:5 fatal Parsing error: Could not resolve tag: !run!trial (invalid YAML; ${DATA})`]],
    ]);
  });

  it("read NaN and Infinity in JSON as Python's json module does", () => {
    const run = runCli(root, ["-f", "json", "project/checkpoints/trainer_state.json", "project/configs/training_args.json"]);
    expect(results(run.stdout)).toEqual([
      ["project/checkpoints/trainer_state.json", []],
      ["project/configs/training_args.json", ["4:3 OPT003"]],
    ]);
  });

  it("JSON Lines (.jsonl) is not a file kind optim-lint reads: never walked, and skipped with a warning when named", () => {
    const walked = runCli(root, ["-f", "json", "project/data"]);
    expect([walked.status, results(walked.stdout), walked.stderr]).toEqual([0, [], ""]);
    const named = runCli(root, ["project/data/instructions.jsonl"]);
    expect(named.status).toBe(2);
    expect(named.stderr).toContain("project/data/instructions.jsonl skipped: not a supported file type");
  });
});
