/**
 * Replays the golden trajectories written by scripts/goldens/gen_optim.py. Each file records float64
 * parameters, the gradient of every step and the parameters after it. Most come from real torch.optim
 * (torch 1.13). The NAdam files, and the RAdam files using options added in 2.x, come from the script's
 * Python ports of torch 2.x's single-tensor steps (each file's `source` says which).
 */
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createOptimizer, getDefaultDtype, setDefaultDtype, type Dtype, type ParamsInput } from "../../src/optim/index.js";
import { allocFloat32, float32Kernels, setFloat32Kernels, type Float32Kernels } from "../../src/optim/simd.js";

interface GoldenStep {
  grads: (number[] | null)[];
  params: number[][];
  set_lr?: Record<string, number>;
}

interface Golden {
  name: string;
  source: string;
  optimizer: string;
  options: Record<string, unknown>;
  groups: { params: number[]; options: Record<string, unknown> }[] | null;
  shapes: number[][];
  /** Set when torch ran under `torch.set_default_dtype` of this dtype. */
  default_dtype?: Dtype;
  /** "float32": parameters, gradients and state were float32 tensors (else float64). */
  dtype?: "float32";
  initial: number[][];
  steps: GoldenStep[];
}

const DIR = join(import.meta.dirname, "../../fixtures/goldens/optim");
const GOLDENS: Golden[] = readdirSync(DIR)
  .filter((file) => file.endsWith(".json"))
  .sort()
  .map((file) => JSON.parse(readFileSync(join(DIR, file), "utf8")) as Golden);

/** Relative error with a tiny absolute floor, so exact zeros compare sensibly. */
export function relativeError(actual: number, expected: number): number {
  return Math.abs(actual - expected) / Math.max(Math.abs(expected), 1e-12);
}

/**
 * Runs a golden case and returns the worst relative error over all steps and parameters. Float32 cases pass
 * their gradients as Float32Array (torch's were float32 tensors, so the values are exact), which the
 * kernels take; `resident` allocates parameters and gradients in the kernels' memory (`allocFloat32`).
 */
function replay(golden: Golden, dtype: Dtype = golden.default_dtype ?? "float32", resident = false): number {
  const before = getDefaultDtype();
  setDefaultDtype(dtype);
  try {
    return replayWithDtype(golden, resident);
  } finally {
    setDefaultDtype(before);
  }
}

function replayWithDtype(golden: Golden, resident: boolean): number {
  const float32 = (values: number[]) => {
    const array = resident ? allocFloat32(values.length) : new Float32Array(values.length);
    array.set(values);
    return array;
  };
  const params = golden.initial.map((values) => (golden.dtype === "float32" ? float32(values) : Float64Array.from(values)));
  const gradient = (values: number[] | null) => (values !== null && golden.dtype === "float32" ? float32(values) : values);
  const order = golden.groups ? golden.groups.flatMap((group) => group.params) : params.map((_, i) => i);
  const input: ParamsInput = golden.groups
    ? golden.groups.map((group) => ({ params: group.params.map((i) => params[i]), ...group.options }))
    : params;
  const optimizer = createOptimizer(golden.optimizer, input, golden.options);
  let worst = 0;
  for (const step of golden.steps) {
    for (const [group, lr] of Object.entries(step.set_lr ?? {})) optimizer.paramGroups[Number(group)].lr = lr;
    optimizer.step(order.map((i) => gradient(step.grads[i])));
    step.params.forEach((expected, i) => {
      expected.forEach((value, j) => {
        worst = Math.max(worst, relativeError(params[i][j], value));
      });
    });
  }
  return worst;
}

describe("the default dtype", () => {
  it("float64 runs match torch under set_default_dtype(float64) exactly, and the float32 scalar would not", () => {
    const golden = GOLDENS.find((g) => g.default_dtype === "float64" && g.optimizer === "NAdam");
    expect(golden).toBeDefined();
    expect(replay(golden!)).toBeLessThanOrEqual(1e-13);
    expect(replay(golden!, "float32")).toBeGreaterThan(1e-10);
  });
});

describe("golden trajectories", () => {
  it("cover every optimizer option branch the script generates", () => {
    expect(GOLDENS.length).toBeGreaterThanOrEqual(50);
    const optimizers = new Set(GOLDENS.map((golden) => golden.optimizer));
    expect([...optimizers].sort()).toEqual(["Adadelta", "Adagrad", "Adam", "AdamW", "Adamax", "NAdam", "RAdam", "RMSprop", "SGD"]);
  });

  for (const golden of GOLDENS.filter((g) => g.dtype !== "float32")) {
    it(`${golden.name} (${golden.source.startsWith("torch") ? "torch" : "2.x port"}) stays within 1e-10`, () => {
      expect(golden.steps.length).toBeGreaterThanOrEqual(10);
      const worst = replay(golden);
      expect(worst).toBeLessThanOrEqual(1e-10);
    });
  }
});

describe("float32 golden trajectories", () => {
  const FLOAT32 = GOLDENS.filter((golden) => golden.dtype === "float32");

  it("cover SGD and Adam/AdamW in float32, with and without momentum, Nesterov, decay and AMSGrad", () => {
    expect(FLOAT32.length).toBeGreaterThanOrEqual(14);
    const options: Record<string, unknown>[] = FLOAT32.map((golden) => ({ optimizer: golden.optimizer, ...golden.options }));
    expect(options.some((o) => o.optimizer === "SGD" && o.nesterov === true && "weight_decay" in o)).toBe(true);
    expect(options.some((o) => o.optimizer === "SGD" && !("momentum" in o))).toBe(true);
    expect(options.some((o) => o.optimizer === "Adam" && o.amsgrad === true)).toBe(true);
    expect(options.some((o) => o.optimizer === "AdamW" && o.amsgrad === true)).toBe(true);
    expect(options.some((o) => o.optimizer === "AdamW" && !("amsgrad" in o))).toBe(true);
  });

  it("run on this runtime's fused WebAssembly kernels", () => {
    expect(float32Kernels()).toBe("fused");
  });

  const runs: [Float32Kernels, boolean][] = [["fused", false], ["fused", true], ["emulated", false], ["scalar", false]];
  for (const golden of FLOAT32) {
    for (const [kinds, resident] of runs) {
      it(`${golden.name} matches torch bit for bit (${kinds} kernels${resident ? ", arrays in their memory" : ""})`, () => {
        expect(golden.steps.length).toBeGreaterThanOrEqual(10);
        setFloat32Kernels(kinds);
        try {
          expect(float32Kernels()).toBe(kinds);
          expect(replay(golden, undefined, resident)).toBe(0);
        } finally {
          setFloat32Kernels("fused");
        }
      });
    }
  }
});
