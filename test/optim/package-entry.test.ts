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
    // Node 20 has relaxed SIMD behind a V8 flag that the kernels set while they compile; nothing may be printed.
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

  /**
   * A module whose only instruction is relaxed SIMD's `f32x4.relaxed_madd` (on three zero vectors): it
   * validates exactly when relaxed SIMD is on in the process.
   */
  const relaxedModule = `new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 4, 1, 96, 0, 0, 3, 2, 1, 0, 10, 62, 1, 60, 0,
  ...[0, 1, 2].flatMap(() => [253, 12, ...new Array(16).fill(0)]), 253, 133, 2, 26, 11])`;
  const stepAndProbe = `import { Adam, SGD, float32Kernels } from "optim-lint/optim";
const relaxed = () => WebAssembly.validate(${relaxedModule});
const before = relaxed();
const n = 1 << 14;
const g = new Float32Array(n).fill(0.5);
const p = new Float32Array(n).fill(1);
const sgd = new SGD([p], { lr: 0.1 });
for (let t = 0; t < 300; t++) sgd.step([g]);
const afterSgd = relaxed();
// SET_FLAG_HERE
// A second kernel, compiled after the first: AMSGrad Adam.
const q = new Float32Array(n).fill(1);
const adam = new Adam([q], { lr: 0.1, amsgrad: true });
for (let t = 0; t < 300; t++) adam.step([g]);
console.log(JSON.stringify({ before, afterSgd, afterAdam: relaxed(), kernels: float32Kernels() }));`;

  it("leaves relaxed SIMD as the process had it: the V8 flag is set only while a kernel compiles", () => {
    const plain = spawnSync(process.execPath, ["--input-type=module", "-e", stepAndProbe], { cwd: ROOT, encoding: "utf8" });
    expect(plain.stderr).toBe("");
    const result = JSON.parse(plain.stdout);
    expect(result.kernels).toBe("fused");
    // Off before on Node 20 (on from Node 22): after two kernels compiled and ran hot, still as it was.
    expect([result.afterSgd, result.afterAdam]).toEqual([result.before, result.before]);
    // A process started with the flag keeps it: the kernels do not clear what they did not set.
    const flagged = spawnSync(process.execPath, ["--experimental-wasm-relaxed-simd", "--input-type=module", "-e", stepAndProbe], { cwd: ROOT, encoding: "utf8" });
    expect(JSON.parse(flagged.stdout)).toEqual({ before: true, afterSgd: true, afterAdam: true, kernels: "fused" });
    // So does a process that sets it itself after the first kernel: the second kernel's compile leaves it on.
    const setLater = stepAndProbe.replace("// SET_FLAG_HERE", `(await import("node:v8")).setFlagsFromString("--experimental-wasm-relaxed-simd");`);
    const later = spawnSync(process.execPath, ["--input-type=module", "-e", setLater], { cwd: ROOT, encoding: "utf8" });
    expect(JSON.parse(later.stdout)).toMatchObject({ afterAdam: true, kernels: "fused" });
  });
});
