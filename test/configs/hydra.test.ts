import { describe, expect, it } from "vitest";
import { join } from "node:path";
import { lintPaths } from "../../src/cli/lint-paths.js";

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
