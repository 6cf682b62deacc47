import { describe, expect, it } from "vitest";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { lintPaths } from "../../src/cli/lint-paths.js";
import type { LintMessage } from "../../src/core/results.js";

const dir = join(import.meta.dirname, "..", "..", "fixtures", "projects", "hydra", "conf");

describe("Hydra defaults lists compose config group options", () => {
  it("judges a primary that adds weight decay to the Adam its group option builds", async () => {
    const results = await lintPaths([dir], { cwd: dir });
    const found = results.flatMap((r) => r.messages.map((m) => `${r.filePath.slice(dir.length + 1)} ${m.line}:${m.column} ${m.code}`));
    // Each option alone is clean; the composition of config.yaml is not, and clean.yaml stays clean.
    expect(found).toEqual(["config.yaml 10:3 OPT001"]);
    const [message] = results.find((r) => r.filePath.endsWith("config.yaml"))!.messages;
    // The class name is written in the group option's file: the rename is not offered as a fix in the primary.
    expect(message.fix).toBeUndefined();
  });

  it("judges a primary named alone with the options it selects, read from disk", async () => {
    const results = await lintPaths([join(dir, "config.yaml"), join(dir, "clean.yaml")], { cwd: dir });
    expect(results.map((r) => r.messages.map((m) => m.code))).toEqual([["OPT001"], []]);
  });
});

const projects = join(import.meta.dirname, "..", "..", "fixtures", "projects");

/** Messages of a run as `file line:column code`, with each origin note's file, line and column. */
async function found(paths: string[], root: string) {
  const results = await lintPaths(paths, { cwd: root });
  const rel = (p: string | undefined) => (p ? p.slice(root.length + 1) : ".");
  return results.flatMap((r) => r.messages.map((m) => `${rel(r.filePath)} ${m.line}:${m.column} ${m.code} ${(m.related ?? []).map((n) => `${rel(n.filePath)}:${n.line}:${n.column}`).join(" ")}`.trim()));
}

describe("Hydra packages, overrides and interpolations", () => {
  const conf = join(projects, "hydra-packages", "conf");

  it("places an option at its `group@package` and resolves `${...}` against the composed config", async () => {
    // sgd.yaml alone has momentum `${momentum}` (unknown); placed at model.optimizer in config.yaml's composition it
    // reads 0.9 from config.yaml line 11. Null, optional-and-missing and Hydra's own groups are skipped.
    // Linted alone, the finding is shown at the selection that leads to the option (line 5).
    expect(await found([join(conf, "config.yaml")], conf)).toEqual(["config.yaml 5:5 OPT002 .:11:11"]);
    expect(await found([join(conf, "config.yaml"), join(conf, "optimizer", "sgd.yaml")], conf)).toEqual(["optimizer/sgd.yaml 1:1 OPT002 config.yaml:11:11"]);
    const [result] = await lintPaths([join(conf, "config.yaml")], { cwd: conf });
    expect(result.messages[0].message).toContain("momentum=0.9 (interpolated by `${momentum}`)");
  });

  it("resolves a relative interpolation inside a file judged alone", async () => {
    expect(await found([join(conf, "relative.yaml")], conf)).toEqual(["relative.yaml 3:3 OPT002 .:6:18"]);
  });

  it("leaves resolvers such as `${oc.env:X}` unknown", async () => {
    expect(await found([join(conf, "env_decay.yaml"), join(conf, "optimizer", "adam.yaml")], conf)).toEqual([]);
  });

  it("judges an experiment config (`# @package _global_`, `override /model: ...`) with the option it selects", async () => {
    const configs = join(projects, "hydra-experiment", "configs");
    // train.yaml composes the clean MNIST model; the experiment adds decay through `${decay}` (its line 6).
    expect(await found([configs], configs)).toEqual(["experiment/adam_decay.yaml 9:5 OPT001 .:6:8"]);
  });
});

describe("Hydra nested defaults lists", () => {
  it("composes an option's own defaults list, applies the primary's `override`, and survives a cycle", async () => {
    const { mkdtempSync, writeFileSync, mkdirSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const root = mkdtempSync(join(tmpdir(), "optim-lint-hydra-"));
    mkdirSync(join(root, "model", "optim"), { recursive: true });
    writeFileSync(join(root, "model", "net.yaml"), "defaults:\n  - optim: sgd\n  - _self_\nwidth: 64\n");
    writeFileSync(join(root, "model", "optim", "sgd.yaml"), "_target_: torch.optim.SGD\nlr: 0.1\nmomentum: 0.9\nnesterov: true\n");
    writeFileSync(join(root, "model", "optim", "adam.yaml"), "_target_: torch.optim.Adam\nlr: 1.0e-3\nweight_decay: 0.1\n");
    // The nested selection (model/optim: sgd) is clean; the primary overrides it with the coupled-decay Adam.
    writeFileSync(join(root, "main.yaml"), "defaults:\n  - model: net\n  - override model/optim: adam\n  - _self_\n");
    writeFileSync(join(root, "plain.yaml"), "defaults:\n  - model: net\n  - _self_\n");
    writeFileSync(join(root, "loop_a.yaml"), "defaults:\n  - loop_b\n  - model: net\n");
    writeFileSync(join(root, "loop_b.yaml"), "defaults:\n  - loop_a\n");
    const names = ["main.yaml", "plain.yaml", "loop_a.yaml"].map((n) => join(root, n));
    // Reported at main.yaml's selection of the model (line 2), the note at the decay in adam.yaml.
    expect(await found(names, root)).toEqual(["main.yaml 2:5 OPT001 model/optim/adam.yaml:3:15"]);
  });
});

describe("fixes on a group option judged in a primary's composition", () => {
  function project(primary: string) {
    const root = mkdtempSync(join(tmpdir(), "optim-lint-hydra-fix-"));
    mkdirSync(join(root, "optimizer"));
    writeFileSync(join(root, "config.yaml"), primary);
    const option = "# the optimizer of the baseline\n_target_: torch.optim.Adam\nlr: 0.001\nweight_decay: 0.01\nbetas: [0.999, 0.9]  # copied\n";
    writeFileSync(join(root, "optimizer", "adam.yaml"), option);
    return { root, option };
  }

  it("are made in the option file when the primary changes nothing of its construction", async () => {
    const { root, option } = project("defaults:\n  - optimizer: adam\n  - _self_\nepochs: 3\n");
    const results = await lintPaths([root], { cwd: root });
    const messages = results.find((r) => r.filePath.endsWith("adam.yaml"))!.messages;
    expect(messages.map((m) => `${m.line}:${m.column} ${m.code} ${m.fix?.applicability}`)).toEqual(["2:1 OPT001 unsafe", "5:1 OPT009 safe"]);
    expect(messages.map((m) => m.message.includes("Not fixed"))).toEqual([false, false]);
    const apply = (m: LintMessage) => option.slice(0, m.fix!.range[0]) + m.fix!.text + option.slice(m.fix!.range[1]);
    expect(apply(messages[0])).toBe(option.replace("torch.optim.Adam\n", "torch.optim.AdamW\n"));
    expect(apply(messages[1])).toBe(option.replace("[0.999, 0.9]", "[0.9, 0.999]"));
    // --fix applies the safe swap once; a second run changes nothing.
    const adam = join(root, "optimizer", "adam.yaml");
    const fixed = (await lintPaths([root], { cwd: root, fix: true })).find((r) => r.filePath === adam)!.output;
    expect(fixed).toBe(option.replace("[0.999, 0.9]", "[0.9, 0.999]"));
    writeFileSync(adam, fixed!);
    const again = (await lintPaths([root], { cwd: root, fix: true })).find((r) => r.filePath === adam)!;
    expect([again.output, again.messages.map((m) => m.code)]).toEqual([undefined, ["OPT001"]]);
  });

  it("swap a sequence the option writes, but leave a rename to the primary when it sets a value of the construction", async () => {
    // The primary's lr is part of the composed construction, shown in config.yaml: renaming the class in the shared
    // option file would change other primaries. The betas are wrong wherever the option is used: swapped there.
    const { root, option } = project("defaults:\n  - optimizer: adam\n  - _self_\noptimizer:\n  lr: 0.002\n");
    const results = await lintPaths([root], { cwd: root });
    const all = results.flatMap((r) => r.messages.map((m) => `${r.filePath.slice(root.length + 1)} ${m.line}:${m.column} ${m.code} ${m.fix?.applicability ?? "-"}`));
    // adam.yaml's own OPT001 (judged alone, no lr override) keeps its rename.
    expect(all).toEqual(["config.yaml 5:3 OPT001 -", "optimizer/adam.yaml 2:1 OPT001 unsafe", "optimizer/adam.yaml 5:1 OPT009 safe"]);
    const [primary] = results.find((r) => r.filePath.endsWith("config.yaml"))!.messages;
    expect(primary.message).toContain("(Not fixed automatically: it is written in optimizer/adam.yaml.)");
    const swap = results.find((r) => r.filePath.endsWith("adam.yaml"))!.messages[1].fix!;
    expect(option.slice(0, swap.range[0]) + swap.text + option.slice(swap.range[1])).toBe(option.replace("[0.999, 0.9]", "[0.9, 0.999]"));
  });

  it("are refused, with the reason, when the value comes from the primary", async () => {
    // sgd.yaml's momentum is `${momentum}`, 0.9 in config.yaml: adding nesterov to sgd.yaml would change every
    // config that selects it, whatever momentum they give it.
    const conf = join(projects, "hydra-packages", "conf");
    const results = await lintPaths([join(conf, "config.yaml"), join(conf, "optimizer", "sgd.yaml")], { cwd: conf });
    const sgd = results.find((r) => r.filePath.endsWith("sgd.yaml"))!;
    expect(sgd.messages.map((m) => [m.code, m.fix])).toEqual([["OPT002", undefined]]);
    expect(sgd.messages[0].message).toContain(
      "(Not fixed automatically: the finding holds as ../config.yaml uses this file, and an edit here would change every config that uses it.)",
    );
  });
});

describe("Hydra defaults lists that loop", () => {
  it("warns at the primary's selection that leads into a cycle, and judges each file alone", async () => {
    const { mkdtempSync, writeFileSync, mkdirSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const root = mkdtempSync(join(tmpdir(), "optim-lint-hydra-cycle-"));
    mkdirSync(join(root, "optimizer"), { recursive: true });
    // The option pulls in the schedule option, which pulls the optimizer option back in.
    writeFileSync(join(root, "optimizer", "sgd.yaml"), "defaults:\n  - /optimizer/plain\n_target_: torch.optim.SGD\nlr: 0.1\nmomentum: 0.9\nnesterov: true\n");
    writeFileSync(join(root, "optimizer", "plain.yaml"), "defaults:\n  - /optimizer/sgd\nlr: 0.05\n");
    writeFileSync(join(root, "train.yaml"), "defaults:\n  - _self_\n  - optimizer: sgd\nepochs: 10\n");
    const results = await lintPaths([root], { cwd: root });
    const messages = results.flatMap((r) => r.messages.map((m) => `${r.filePath.slice(root.length + 1)} ${m.line}:${m.column} ${m.severity} ${m.fatal ? "fatal " : ""}${m.message}`));
    expect(messages).toEqual([
      "train.yaml 3:5 1 Hydra defaults list is a cycle: optimizer/sgd.yaml → optimizer/plain.yaml → optimizer/sgd.yaml; the config is judged without its composition",
    ]);
  });
});
