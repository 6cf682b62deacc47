/**
 * The float32 SIMD fast path (src/optim/simd.ts) must give, bit for bit, what the float64 loops' order of
 * operations gives when every operation rounds to float32 (Math.fround after each one).
 */
import { describe, expect, it } from "vitest";
import { Adam, AdamW, SGD } from "../../src/optim/index.js";
import { float32Kernels } from "../../src/optim/simd.js";

const f = Math.fround;

/** Deterministic float32 values in [low, low + span); lengths cross the chunk size and leave a ragged tail. */
function values(n: number, seed: number, low = -1, span = 2): Float32Array {
  let x = seed;
  return Float32Array.from({ length: n }, () => {
    x = (x * 1103515245 + 12345) % 2147483648;
    return low + (x / 2147483648) * span;
  });
}

const N = 8192 * 2 + 7;

describe("float32 kernels", () => {
  it("are available on this runtime (WebAssembly SIMD)", () => {
    expect(float32Kernels()).not.toBeNull();
  });

  it("SGD with momentum rounds every operation to float32", () => {
    const p = values(N, 1);
    const expected = Float32Array.from(p);
    const buf = new Float32Array(N);
    const sgd = new SGD([p], { lr: 0.01, momentum: 0.9, dampening: 0.25 });
    for (let t = 0; t < 4; t++) {
      const g = values(N, 10 + t);
      sgd.step([g]);
      for (let j = 0; j < N; j++) {
        if (t === 0) buf[j] = g[j];
        else buf[j] = f(f(buf[j] * f(0.9)) + f(f(0.75) * g[j]));
        expected[j] = t === 0 ? f(expected[j] - 0.01 * buf[j]) : f(expected[j] - f(f(0.01) * buf[j]));
      }
    }
    expect(Array.from(p)).toEqual(Array.from(expected));
  });

  for (const [label, Optimizer, options] of [
    ["Adam", Adam, { lr: 0.01 }],
    ["Adam maximizing", Adam, { lr: 0.01, maximize: true, betas: [0.8, 0.99] }],
    ["AdamW", AdamW, { lr: 0.01, weight_decay: 0.1 }],
  ] as const) {
    it(`${label} rounds every operation to float32`, () => {
      const p = values(N, 2, 0, 1);
      const expected = Float32Array.from(p);
      const m = new Float32Array(N);
      const v = new Float32Array(N);
      const opts = { betas: [0.9, 0.999], weight_decay: 0, maximize: false, ...options } as const;
      const [beta1, beta2] = opts.betas;
      const optimizer = new Optimizer([p], { ...opts, betas: [beta1, beta2] });
      for (let step = 1; step <= 4; step++) {
        const g = values(N, 20 + step);
        optimizer.step([g]);
        const negStep = f(-(opts.lr / (1 - beta1 ** step)));
        const bc2 = f((1 - beta2 ** step) ** 0.5);
        const shrink = f(1 - opts.lr * opts.weight_decay);
        for (let j = 0; j < N; j++) {
          const d = opts.maximize ? -g[j] : g[j];
          m[j] = f(m[j] + f(f(1 - beta1) * f(d - m[j])));
          v[j] = f(f(v[j] * f(beta2)) + f(f(f(1 - beta2) * d) * d));
          const denom = f(f(f(Math.sqrt(v[j])) / bc2) + f(1e-8));
          expected[j] = f(f(expected[j] * shrink) + f(negStep * f(m[j] / denom)));
        }
      }
      expect(Array.from(p)).toEqual(Array.from(expected));
    });
  }
});
