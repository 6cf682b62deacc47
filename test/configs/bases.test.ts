import { describe, expect, it } from "vitest";
import { join } from "node:path";
import { lintPaths } from "../../src/cli/lint-paths.js";
import type { FileResult } from "../../src/core/results.js";

const dir = join(import.meta.dirname, "..", "..", "fixtures", "projects", "mmengine-base", "configs");

/** Messages of a run as `file line:column code`, with related notes' files. */
function summary(results: FileResult[]) {
  return results.flatMap((r) =>
    r.messages.map((m) => ({
      file: r.filePath.slice(dir.length + 1),
      at: `${m.line}:${m.column}`,
      code: m.code ?? null,
      fix: m.fix !== undefined,
      related: (m.related ?? []).map((n) => `${n.filePath ? n.filePath.slice(dir.length + 1) : "."}:${n.line}:${n.column}`),
    })),
  );
}

describe("mmengine _base_ inheritance across files", () => {
  it("judges a child that changes only lr with the optimizer and momentum it inherits", async () => {
    const results = await lintPaths([join(dir, "retinanet_lr.py")], { cwd: dir });
    expect(summary(results)).toEqual([
      // The Nesterov fix goes into the child's own optimizer dict; the note leads to the base's momentum.
      { file: "retinanet_lr.py", at: "4:32", code: "OPT002", fix: true, related: ["_base_/schedules/sgd_1x.py:4:50"] },
      { file: "retinanet_lr.py", at: "4:37", code: "OPT003", fix: false, related: [] },
    ]);
    expect(results[0].messages[0].message).toContain("inherited from _base_/schedules/sgd_1x.py");
  });

  it("fixes the child only, and the fixed child is clean", async () => {
    const [result] = await lintPaths([join(dir, "retinanet_lr.py")], { cwd: dir, fix: true });
    expect(result.output).toContain("optim_wrapper = dict(optimizer=dict(lr=1e-5, nesterov=True))");
    expect(result.messages.map((m) => m.code)).toEqual(["OPT003"]);
  });

  it("replaces what `_delete_=True` drops, and inherits nothing of it", async () => {
    const results = await lintPaths([join(dir, "detr_adam.py")], { cwd: dir });
    expect(summary(results).map((m) => m.code)).toEqual(["OPT001"]);
  });

  it("stays silent for a child that fixes what its base lacks", async () => {
    const results = await lintPaths([join(dir, "clean_nesterov.py")], { cwd: dir });
    expect(summary(results)).toEqual([]);
  });

  it("warns of a cycle and a missing base at the `_base_` line (never a failure of valid code), and goes on", async () => {
    const results = await lintPaths([join(dir, "cycle_a.py"), join(dir, "missing_base.py"), join(dir, "detr_adam.py")], { cwd: dir });
    const messages = results.flatMap((r) => r.messages.map((m) => `${r.filePath.slice(dir.length + 1)} ${m.line}:${m.column} ${m.fatal ? "fatal" : ""} ${m.message}`));
    expect(messages).toEqual([
      "cycle_a.py 1:10  `_base_` inheritance is a cycle: cycle_a.py → cycle_b.py → cycle_a.py",
      "missing_base.py 1:10  `_base_` file ./_base_/no_such_schedule.py does not exist; what it would set is unknown",
      expect.stringContaining("detr_adam.py 4:15  Adam applies weight_decay=1e-4"),
    ]);
  });

  it("points each missing base of a list at its own item", async () => {
    const results = await lintPaths([join(dir, "missing_bases_list.py")], { cwd: dir });
    const notices = results.flatMap((r) => r.messages.filter((m) => m.ruleId === null).map((m) => `${m.line}:${m.column} ${m.message}`));
    expect(notices).toEqual([
      "2:37 `_base_` file ./_base_/no_such_dataset.py does not exist; what it would set is unknown",
      "3:5 `_base_` file ./_base_/no_such_runtime.py does not exist; what it would set is unknown",
    ]);
  });

  it("shows a finding about a base that is linted too once, in the base", async () => {
    const results = await lintPaths([join(dir, "_base_", "schedules", "sgd_1x.py")], { cwd: dir });
    expect(summary(results)).toEqual([{ file: "_base_/schedules/sgd_1x.py", at: "4:15", code: "OPT002", fix: true, related: [] }]);
  });
});

describe("bases that cannot be read", () => {
  it("leave what they would set unknown: no finding rests on a default they may override", async () => {
    const { mkdtempSync, writeFileSync, mkdirSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const root = mkdtempSync(join(tmpdir(), "optim-lint-bases-"));
    mkdirSync(join(root, "_base_"));
    // A package-scoped base (mmdet::...) is not a file here; a base that is code, not a plain config, is not read.
    writeFileSync(join(root, "scoped.py"), "_base_ = ['mmdet::_base_/schedules/schedule_1x.py']\noptim_wrapper = dict(optimizer=dict(type='SGD', lr=0.02, momentum=0.9))\n");
    writeFileSync(join(root, "_base_", "runtime.py"), "default_scope = 'mmpose'\nlog_level = 'INFO'\n");
    writeFileSync(join(root, "plain.py"), "_base_ = ['./_base_/runtime.py']\noptim_wrapper = dict(optimizer=dict(type='SGD', lr=0.02, momentum=0.9))\n");
    const results = await lintPaths([join(root, "scoped.py"), join(root, "plain.py")], { cwd: root });
    const found = results.map((r) => [r.filePath.slice(root.length + 1), r.messages.map((m) => m.code ?? m.message)]);
    // The scoped base may set nesterov: silent. A runtime base sets nothing about the optimizer: judged as written.
    expect(found).toEqual([
      ["scoped.py", []],
      ["plain.py", ["OPT002"]],
    ]);
  });
});

describe("`_base_.x` and `{{_base_.x}}` read the merged bases", () => {
  it("resolves an attribute read with arithmetic, with a note at the base's value", async () => {
    const results = await lintPaths([join(dir, "base_refs.py")], { cwd: dir });
    // sgd_1x.py sets lr=0.02; the child divides it by 1000, far below SGD's range. Nesterov is set, so OPT002 is quiet.
    expect(summary(results)).toEqual([{ file: "base_refs.py", at: "4:37", code: "OPT003", fix: false, related: ["_base_/schedules/sgd_1x.py:4:35"] }]);
    expect(results[0].messages[0].message).toContain("lr=2e-5 (`_base_.optim_wrapper.optimizer.lr` in _base_/schedules/sgd_1x.py)");
  });

  it("resolves `{{_base_.x}}` placeholders written in Python code", async () => {
    const results = await lintPaths([join(dir, "base_placeholder.py")], { cwd: dir });
    // The decay comes from `decay = 0.05` in the base (line 3, column 9); the Adam type is inherited.
    expect(summary(results)).toEqual([{ file: "base_placeholder.py", at: "4:32", code: "OPT001", fix: false, related: ["_base_/schedules/adam_base.py:3:9"] }]);
    expect(results[0].messages[0].message).toContain("weight_decay=0.05 (`_base_.decay` in _base_/schedules/adam_base.py)");
  });

  it("leaves a read of a key the bases do not set unknown", async () => {
    const results = await lintPaths([join(dir, "base_unknown_ref.py")], { cwd: dir });
    expect(summary(results)).toEqual([]);
  });

  it("resolves `{{_base_.x}}` strings in YAML and JSON configs, and leaves placeholders in longer strings alone", async () => {
    const { mkdtempSync, writeFileSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const root = mkdtempSync(join(tmpdir(), "optim-lint-base-refs-"));
    writeFileSync(join(root, "base.yaml"), "decay: 0.01\nname: adam\noptim_wrapper:\n  optimizer:\n    type: Adam\n    lr: 0.001\n");
    writeFileSync(join(root, "child.yaml"), "_base_: ./base.yaml\noptim_wrapper:\n  optimizer:\n    weight_decay: '{{_base_.decay}}'\n");
    writeFileSync(join(root, "child.json"), '{"_base_": "./base.yaml", "optim_wrapper": {"optimizer": {"weight_decay": "{{ _base_.decay }}"}}}\n');
    writeFileSync(join(root, "longer.yaml"), "_base_: ./base.yaml\noptim_wrapper:\n  optimizer:\n    weight_decay: 'x{{_base_.decay}}'\n");
    const results = await lintPaths([join(root, "child.yaml"), join(root, "child.json"), join(root, "longer.yaml")], { cwd: root });
    const found = results.map((r) => [r.filePath.slice(root.length + 1), r.messages.map((m) => `${m.line}:${m.column} ${m.code} ${(m.related ?? []).map((n) => `${n.filePath?.slice(root.length + 1)}:${n.line}:${n.column}`).join(",")}`)]);
    expect(found).toEqual([
      // Reported at the weight_decay entry (YAML) and the optimizer object (JSON); the note is at `0.01` in the base.
      ["child.yaml", ["4:5 OPT001 base.yaml:1:8"]],
      ["child.json", ["1:58 OPT001 base.yaml:1:8"]],
      ["longer.yaml", []],
    ]);
  });
});

describe("shared bases in a `_base_` folder", () => {
  it("leave which parameters are decayed to the configs that use them", async () => {
    const results = await lintPaths([join(dir, "_base_", "schedules", "adamw_decay.py"), join(dir, "adamw_nowd.py"), join(dir, "adamw_all.py")], { cwd: dir });
    // The base alone and the child with paramwise_cfg are silent; the child that keeps the default decays everything.
    expect(summary(results).map((m) => `${m.file} ${m.at} ${m.code}`)).toEqual(["adamw_all.py 4:17 OPT005"]);
  });

  it("judges custom_keys that spare only tokens in the config that completes them, and not under a LoRA wrapper", async () => {
    const files = [join(dir, "_base_", "schedules", "adamw_tokens.py"), join(dir, "vit_tokens.py"), join(dir, "vit_tokens_lora.py")];
    const results = await lintPaths(files, { cwd: dir });
    expect(summary(results)).toEqual([{ file: "vit_tokens.py", at: "3:17", code: "OPT005", fix: false, related: ["_base_/schedules/adamw_tokens.py:3:56"] }]);
    expect(results.flatMap((r) => r.messages)[0].message).toBe(
      "AdamW applies weight_decay=0.3 (inherited from _base_/schedules/adamw_tokens.py) to biases and normalization weights too: mmengine decays every parameter its paramwise_cfg does not exempt, and its custom_keys exempt only '.cls_token', '.pos_embed'; add norm_decay_mult=0.0 and bias_decay_mult=0.0 to its paramwise_cfg.",
    );
  });
});

describe("a finding several configs reach in a file that is linted too", () => {
  /** Messages of a run under `root` as `file line:column code message`, then each related note as `  file:line:column note`. */
  function shown(results: FileResult[], root: string): string[] {
    return results.flatMap((r) =>
      r.messages.flatMap((m) => [
        `${r.filePath.slice(root.length + 1)} ${m.line}:${m.column} ${m.code} ${m.message}`,
        ...(m.related ?? []).map((n) => `  ${n.filePath ? n.filePath.slice(root.length + 1) : "."}:${n.line}:${n.column} ${n.message}`),
      ]),
    );
  }
  const NESTEROV =
    "SGD runs classical momentum: momentum=0.9 with nesterov off; pass nesterov=True for Nesterov momentum, which usually converges faster at no extra cost.";

  it("is shown as that file's own analysis words it, never as inherited from itself", async () => {
    const { mkdtempSync, writeFileSync, mkdirSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const root = mkdtempSync(join(tmpdir(), "optim-lint-shared-"));
    mkdirSync(join(root, "_base_"));
    mkdirSync(join(root, "svtr"));
    writeFileSync(join(root, "_base_", "sched.py"), "optim_wrapper = dict(\n    type='OptimWrapper',\n    optimizer=dict(type='SGD', lr=0.1, momentum=0.9))\n");
    // tiny.py is a config of its own and the base of two siblings, which come before it in the folder.
    writeFileSync(join(root, "svtr", "tiny.py"), "_base_ = ['../_base_/sched.py']\n\noptim_wrapper = dict(\n    optimizer=dict(type='SGD', lr=0.05, momentum=0.9))\n");
    writeFileSync(join(root, "svtr", "base.py"), "_base_ = ['tiny.py']\nmodel = dict(depth=4)\n");
    writeFileSync(join(root, "svtr", "small.py"), "_base_ = ['tiny.py']\nmodel = dict(depth=2)\n");
    const folder = await lintPaths([join(root, "svtr")], { cwd: root });
    expect(shown(folder, root)).toEqual([`svtr/tiny.py 4:15 OPT002 ${NESTEROV}`]);
    // A base given after a child that reaches its finding: the base's own words.
    writeFileSync(join(root, "direct.py"), "_base_ = ['_base_/sched.py']\nmodel = dict(depth=1)\n");
    const both = await lintPaths([join(root, "direct.py"), join(root, "_base_", "sched.py"), join(root, "svtr", "small.py"), join(root, "svtr", "tiny.py")], { cwd: root });
    expect(shown(both, root)).toEqual([`_base_/sched.py 3:15 OPT002 ${NESTEROV}`, `svtr/tiny.py 4:15 OPT002 ${NESTEROV}`]);
    // Linted alone, a child still shows where the finding is, inherited from the file that writes it.
    const alone = await lintPaths([join(root, "svtr", "small.py")], { cwd: root });
    expect(shown(alone, root)).toEqual([
      "svtr/small.py 1:10 OPT002 SGD runs classical momentum: momentum=0.9 (inherited from tiny.py) with nesterov off; pass nesterov=True for Nesterov momentum, which usually converges faster at no extra cost. (The finding is at " +
        `${join(root, "svtr", "tiny.py")}:4:15, in a file not linted in this run.) (Not fixed automatically: it is written in tiny.py.)`,
      "  svtr/tiny.py:4:50 momentum is set here (inherited from tiny.py)",
    ]);
  });

  it("follows the settings of the file it is shown in: a per-file ignore there silences what its children's analyses place in it", async () => {
    const { mkdtempSync, writeFileSync, mkdirSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const root = mkdtempSync(join(tmpdir(), "optim-lint-shared-"));
    mkdirSync(join(root, "_base_"));
    mkdirSync(join(root, "svtr"));
    writeFileSync(join(root, "_base_", "sched.py"), "optim_wrapper = dict(\n    type='OptimWrapper',\n    optimizer=dict(type='SGD', lr=0.1, momentum=0.9))\n");
    writeFileSync(join(root, "svtr", "base.py"), "_base_ = ['../_base_/sched.py']\nmodel = dict(depth=4)\n");
    writeFileSync(join(root, "svtr", "small.py"), "_base_ = ['../_base_/sched.py']\nmodel = dict(depth=2)\n");
    // Ignored in the children only: the finding is in the base, whose settings keep it.
    writeFileSync(join(root, "optim-lint.toml"), '[per-file-ignores]\n"svtr/**" = ["OPT002"]\n');
    expect(shown(await lintPaths([root], { cwd: root }), root)).toEqual([`_base_/sched.py 3:15 OPT002 ${NESTEROV}`]);
    // Ignored in the base: the children reach the same finding, but it would be shown in the base, where it is off.
    writeFileSync(join(root, "optim-lint.toml"), '[per-file-ignores]\n"_base_/**" = ["OPT002"]\n');
    expect(shown(await lintPaths([root], { cwd: root }), root)).toEqual([]);
    // Linted without the base, a child shows the finding itself and its own settings apply.
    expect(shown(await lintPaths([join(root, "svtr", "small.py")], { cwd: root }), root)).toHaveLength(2);
  });
});
