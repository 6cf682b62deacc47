/**
 * LAMB, LARS and Lookahead are not in torch, so they are checked against steps derived by hand from the
 * reference each one follows (see docs/optim.md): timm `Lamb` (apex FusedLAMB behaviour), timm `Lars`
 * plus the Barlow Twins / VICReg bias-and-norm exclusion, and the Lookahead authors' code.
 */
import { describe, expect, it } from "vitest";
import { LAMB, LARS, Lookahead, SGD, ValueError, createOptimizer } from "../../src/optim/index.js";

/** Relative error with a tiny absolute floor. */
function relativeError(actual: number, expected: number): number {
  return Math.abs(actual - expected) / Math.max(Math.abs(expected), 1e-12);
}

/** Asserts two vectors agree to `tolerance` in relative error. */
function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tolerance = 1e-13): void {
  expect(actual.length).toBe(expected.length);
  for (let j = 0; j < expected.length; j++) expect(relativeError(actual[j], expected[j])).toBeLessThanOrEqual(tolerance);
}

const norm = (v: ArrayLike<number>): number => Math.sqrt(Array.from(v).reduce((s, x) => s + x * x, 0));

const W = [0.5, -1.25, 2];
const B = [0.1, -0.2];
const GW = [3, -4, 12];
const GB = [0.5, 0.25];

describe("LAMB (timm Lamb / apex FusedLAMB)", () => {
  it("first step: global clipping, Adam direction g/(|g|+eps) plus decay, trust ratio ||w||/||update||", () => {
    const [lr, wd, eps] = [0.01, 0.1, 1e-6];
    const w = Float64Array.from(W);
    const b = Float64Array.from(B);
    new LAMB([w, b], { lr, weight_decay: wd, eps }).step([GW, GB]);
    // The global norm sqrt(9 + 16 + 144 + 0.25 + 0.0625) exceeds max_grad_norm = 1, so gradients are divided by it.
    const clip = Math.sqrt(169 + 0.3125);
    for (const [param, start, grad] of [[w, W, GW], [b, B, GB]] as const) {
      const update = start.map((x, j) => {
        const g = grad[j] / clip;
        return g / (Math.abs(g) + eps) + wd * x;
      });
      const ratio = norm(start) / norm(update);
      expectClose(param, start.map((x, j) => x - lr * ratio * update[j]), 1e-12);
    }
  });

  it("second step follows the moment recursions with the group's step count", () => {
    const [lr, wd, eps, beta1, beta2] = [0.02, 0.05, 1e-6, 0.9, 0.999];
    const w = Float64Array.from(W);
    const lamb = new LAMB([w], { lr, weight_decay: wd, eps, max_grad_norm: null });
    const grads = [[0.3, -0.1, 0.2], [-0.2, 0.05, 0.4]];
    lamb.step([grads[0]]);
    lamb.step([grads[1]]);
    let expected = W.slice();
    const m = [0, 0, 0];
    const v = [0, 0, 0];
    grads.forEach((g, t) => {
      const update = expected.map((x, j) => {
        m[j] = beta1 * m[j] + (1 - beta1) * g[j];
        v[j] = beta2 * v[j] + (1 - beta2) * g[j] ** 2;
        return m[j] / (1 - beta1 ** (t + 1)) / (Math.sqrt(v[j] / (1 - beta2 ** (t + 1))) + eps) + wd * x;
      });
      const ratio = norm(expected) / norm(update);
      expected = expected.map((x, j) => x - lr * ratio * update[j]);
    });
    expectClose(w, expected, 1e-12);
    expect(lamb.paramGroups[0].step).toBe(2);
  });

  it("skips adaptation without weight decay unless always_adapt; trust_clip caps the ratio at one", () => {
    const g = [0.3, -0.1, 0.2];
    const plain = Float64Array.from(W);
    new LAMB([plain], { lr: 0.1, weight_decay: 0, max_grad_norm: null }).step([g]);
    expectClose(plain, W.map((x, j) => x - 0.1 * (g[j] / (Math.abs(g[j]) + 1e-6))), 1e-13);

    const adapted = Float64Array.from(W);
    new LAMB([adapted], { lr: 0.1, weight_decay: 0, always_adapt: true, max_grad_norm: null }).step([g]);
    const update = g.map((x) => x / (Math.abs(x) + 1e-6));
    const ratio = norm(W) / norm(update);
    expect(ratio).toBeGreaterThan(1);
    expectClose(adapted, W.map((x, j) => x - 0.1 * ratio * update[j]), 1e-13);

    const clipped = Float64Array.from(W);
    new LAMB([clipped], { lr: 0.1, weight_decay: 0, always_adapt: true, trust_clip: true, max_grad_norm: null }).step([g]);
    expectClose(clipped, plain, 1e-15);
  });

  it("advances each group's step count even when the group has no gradient, as timm does", () => {
    const [lr, beta1, beta2, eps] = [0.1, 0.9, 0.999, 1e-6];
    const a = Float64Array.from(W);
    const b = Float64Array.from(B);
    const lamb = new LAMB([{ params: [a] }, { params: [b] }], { lr, weight_decay: 0, max_grad_norm: null });
    lamb.step([GW, null]);
    expect(Array.from(b)).toEqual(B);
    lamb.step([GW, GB]);
    // b's first moments are bias-corrected with step 2, not 1.
    expectClose(b, B.map((x, j) => {
      const mHat = ((1 - beta1) * GB[j]) / (1 - beta1 ** 2);
      const vHat = ((1 - beta2) * GB[j] ** 2) / (1 - beta2 ** 2);
      return x - (lr * mHat) / (Math.sqrt(vHat) + eps);
    }), 1e-13);
  });

  it("uses a trust ratio of one for a zero weight", () => {
    const zero = new Float64Array(3);
    new LAMB([zero], { lr: 0.1, weight_decay: 0.1, max_grad_norm: null }).step([[0.5, -0.5, 1]]);
    expectClose(zero, [-0.1 * (0.5 / (0.5 + 1e-6)), 0.1 * (0.5 / (0.5 + 1e-6)), -0.1 * (1 / (1 + 1e-6))], 1e-14);
  });
});

describe("LARS (timm Lars with bias/norm exclusion)", () => {
  const [lr, wd, momentum, tc, eps] = [0.5, 1e-3, 0.9, 0.001, 1e-8];

  it("scales gradient plus decay by trust_coeff ||w|| / (||g|| + wd ||w|| + eps), then steps with momentum", () => {
    const w = Float64Array.from(W);
    const lars = new LARS([w], { lr, weight_decay: wd, momentum, trust_coeff: tc, eps });
    const g2 = [1, 2, -2];
    lars.step([GW]);
    const ratio1 = (tc * norm(W)) / (norm(GW) + wd * norm(W) + eps);
    const d1 = W.map((x, j) => (GW[j] + wd * x) * ratio1);
    const after1 = W.map((x, j) => x - lr * d1[j]);
    expectClose(w, after1, 1e-14);
    lars.step([g2]);
    const ratio2 = (tc * norm(after1)) / (norm(g2) + wd * norm(after1) + eps);
    const buf = d1.map((b, j) => momentum * b + (g2[j] + wd * after1[j]) * ratio2);
    expectClose(w, after1.map((x, j) => x - lr * buf[j]), 1e-14);
  });

  it("exclude_bias_and_norm: one-dimensional parameters take plain momentum SGD steps", () => {
    const matrix = Float64Array.from([0.5, -1.25, 2, 1]);
    const bias = Float64Array.from(B);
    const shapes = [[2, 2], [2]];
    new LARS([{ params: [matrix, bias], shapes }], { lr, weight_decay: wd, momentum, exclude_bias_and_norm: true }).step([[3, -4, 12, 0], GB]);
    expectClose(bias, B.map((x, j) => x - lr * GB[j]), 1e-15);
    const ratio = (tc * norm([0.5, -1.25, 2, 1])) / (13 + wd * norm([0.5, -1.25, 2, 1]) + eps);
    expectClose(matrix, [0.5, -1.25, 2, 1].map((x, j) => x - lr * ([3, -4, 12, 0][j] + wd * x) * ratio), 1e-14);
    // Without the flag the same bias is adapted.
    const adapted = Float64Array.from(B);
    new LARS([adapted], { lr, weight_decay: wd, momentum }).step([GB]);
    expect(relativeError(adapted[0], B[0] - lr * GB[0])).toBeGreaterThan(0.1);
  });

  it("leaves groups without weight decay unadapted unless always_adapt, and LARC-clips with trust_clip", () => {
    const plain = Float64Array.from(W);
    new LARS([plain], { lr, weight_decay: 0 }).step([GW]);
    expectClose(plain, W.map((x, j) => x - lr * GW[j]), 1e-15);

    const clipped = Float64Array.from(W);
    new LARS([clipped], { lr: 1e-4, weight_decay: wd, trust_clip: true }).step([GW]);
    // The raw ratio (about 1.8e-4) over lr = 1e-4 exceeds one, so LARC caps it at one.
    expectClose(clipped, W.map((x, j) => x - 1e-4 * (GW[j] + wd * x)), 1e-15);
  });

  it("needs shapes to exclude biases and norms", () => {
    expect(() => new LARS([Float64Array.from(W)], { exclude_bias_and_norm: true })).toThrow(ValueError);
  });
});

describe("Lookahead (authors' reference code)", () => {
  it("wrapping SGD with momentum equals a manual computation", () => {
    const [lr, momentum, k, alpha] = [0.1, 0.9, 3, 0.5];
    const p = Float64Array.from(W);
    const optimizer = new Lookahead(new SGD([p], { lr, momentum }), { k, alpha });
    const grads = Array.from({ length: 8 }, (_, t) => W.map((_, j) => Math.sin(t + 2 * j)));
    let fast = W.slice();
    let slow = W.slice();
    let buf: number[] | undefined;
    grads.forEach((g, t) => {
      optimizer.step([g]);
      buf = buf === undefined ? g.slice() : buf.map((b, j) => momentum * b + g[j]);
      fast = fast.map((x, j) => x - lr * buf![j]);
      if ((t + 1) % k === 0) {
        fast = fast.map((x, j) => alpha * x + (1 - alpha) * slow[j]);
        slow = fast.slice();
      }
      expectClose(p, fast, 1e-14);
    });
  });

  it("shares the inner optimizer's groups and validates k and alpha", () => {
    const p = Float64Array.from(W);
    const inner = new SGD([p], { lr: 0.1 });
    const lookahead = new Lookahead(inner);
    lookahead.paramGroups[0].lr = 0.01;
    expect(inner.paramGroups[0].lr).toBe(0.01);
    expect(() => new Lookahead(inner, { alpha: 1.5 })).toThrow("Invalid slow update rate: 1.5");
    expect(() => new Lookahead(inner, { k: 0 })).toThrow("Invalid lookahead steps: 0");
  });

  it("is built by the factory from a base name, with lookahead_k and lookahead_alpha", () => {
    const a = Float64Array.from(W);
    const b = Float64Array.from(W);
    const built = createOptimizer("Lookahead", [a], { base: "RMSprop", alpha: 0.9, lookahead_k: 2, lookahead_alpha: 0.3 });
    const manual = new Lookahead(createOptimizer("RMSprop", [b], { alpha: 0.9 }), { k: 2, alpha: 0.3 });
    for (let t = 0; t < 5; t++) {
      built.step([GW]);
      manual.step([GW]);
    }
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(built).toBeInstanceOf(Lookahead);
    expect(createOptimizer("lookahead_sgd", [Float64Array.from(W)], {})).toBeInstanceOf(Lookahead);
    expect(() => createOptimizer("Lookahead", [Float64Array.from(W)], {})).toThrow(ValueError);
  });
});
