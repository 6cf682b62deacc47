/** The optimizer core is a public entry point: `import { Adam } from "optim-lint/optim"` resolves through package.json exports to the build. */
import { execFileSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");

describe("optim-lint/optim entry point", () => {
  it("resolves by package name and steps like torch.optim.Adam", () => {
    const script = `import { Adam, AdamW, SGD, StepLR, createOptimizer } from "optim-lint/optim";
const p = new Float64Array([1, 2]);
const opt = new Adam([p], { lr: 0.1 });
opt.step([new Float64Array([1, -1])]);
console.log(JSON.stringify({ p: Array.from(p), kinds: [typeof AdamW, typeof SGD, typeof StepLR, typeof createOptimizer] }));`;
    const out = JSON.parse(execFileSync(process.execPath, ["--input-type=module", "-e", script], { cwd: ROOT, encoding: "utf8" }));
    // Adam's first step moves each weight by lr * g / (|g| + eps) against the gradient's sign.
    expect(out.p[0]).toBeCloseTo(0.9, 8);
    expect(out.p[1]).toBeCloseTo(2.1, 8);
    expect(out.kinds).toEqual(["function", "function", "function", "function"]);
  });
});
