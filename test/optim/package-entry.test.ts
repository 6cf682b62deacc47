/** The optimizer core is a public entry point: `import { Adam } from "optim-lint/optim"` resolves through package.json exports to the build. */
import { execFileSync, spawnSync } from "node:child_process";
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

  it("gives a fresh process fused float32 kernels, silently, and updates arrays from allocFloat32 in place", () => {
    // Node 20 has relaxed SIMD behind a V8 flag that the kernels set at first use; nothing may be printed.
    const script = `import { SGD, allocFloat32, float32Kernels } from "optim-lint/optim";
const n = 64;
const p = allocFloat32(n);
const g = allocFloat32(n);
for (let j = 0; j < n; j++) { p[j] = 1 + j * 2 ** -23; g[j] = -(1 + 2 ** -15); }
new SGD([p], { lr: 2 ** -24 * (1 - 2 ** -15) }).step([g]);
console.log(JSON.stringify({ kernels: float32Kernels(), inMemory: p.buffer.byteLength > n * 4, p0: p[0], p1: p[1] }));`;
    const run = spawnSync(process.execPath, ["--input-type=module", "-e", script], { cwd: ROOT, encoding: "utf8" });
    expect(run.stderr).toBe("");
    const result = JSON.parse(run.stdout);
    expect(result.kernels).toBe("fused");
    expect(result.inMemory).toBe(true);
    // p1 - lr * g is 1 + 2^-23 + 2^-24 (1 - 2^-30), just below the halfway point between float32 neighbours 1 + 2^-23
    // and 1 + 2^-22: rounded once it is 1 + 2^-23; with the product or the float64 sum rounded first it is the tie,
    // which goes to 1 + 2^-22.
    expect(result.p0).toBe(1);
    expect(result.p1).toBe(1 + 2 ** -23);
  });
});
