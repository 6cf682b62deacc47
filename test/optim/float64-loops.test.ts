/**
 * The float64 SGD loops (src/optim/sgd.ts) take four elements per iteration with a one-element tail. They
 * must give exactly the bits of the one-element update they replace: checked here against that update,
 * written out below, on lengths with and without a tail, for every configuration that has its own loop.
 */
import { describe, expect, it } from "vitest";
import { SGD, type SGDOptions } from "../../src/optim/index.js";

function values(n: number, seed: number, low = -1, span = 2): Float64Array {
  let x = seed;
  return Float64Array.from({ length: n }, () => {
    x = (x * 1103515245 + 12345) % 2147483648;
    return low + (x / 2147483648) * span;
  });
}

/** torch's single-tensor SGD, one element at a time, in float64. */
function reference(p: Float64Array, grads: Float64Array[], o: SGDOptions): Float64Array {
  const buf = new Float64Array(p.length);
  grads.forEach((g, t) => {
    for (let j = 0; j < p.length; j++) {
      let d = (o.maximize ? -1 : 1) * g[j];
      if (o.weight_decay !== 0) d += o.weight_decay * p[j];
      if (o.momentum !== 0) {
        buf[j] = t === 0 ? d : buf[j] * o.momentum + (1 - o.dampening) * d;
        d = o.nesterov ? d + o.momentum * buf[j] : buf[j];
      }
      p[j] -= o.lr * d;
    }
  });
  return p;
}

const configurations: Partial<SGDOptions>[] = [
  { lr: 0.1 },
  { lr: 0.1, weight_decay: 0.01 },
  { lr: 0.1, maximize: true },
  { lr: 0.01, momentum: 0.9 },
  { lr: 0.01, momentum: 0.9, dampening: 0.3 },
  { lr: 0.01, momentum: 0.9, nesterov: true },
  { lr: 0.01, momentum: 0.9, weight_decay: 1e-4, maximize: true },
];

describe("float64 SGD loops", () => {
  for (const options of configurations) {
    it(`give the one-element update's bits: ${JSON.stringify(options)}`, () => {
      for (const n of [1, 3, 4, 37, 64]) {
        const grads = [0, 1, 2, 3].map((t) => values(n, 20 + t));
        const p = values(n, 1, 0, 1);
        const optimizer = new SGD([p], options);
        for (const g of grads) optimizer.step([g]);
        const expected = reference(values(n, 1, 0, 1), grads, { lr: 1e-3, momentum: 0, dampening: 0, weight_decay: 0, nesterov: false, maximize: false, ...options });
        expect({ n, p: Array.from(p) }).toEqual({ n, p: Array.from(expected) });
      }
    });
  }
});
