/**
 * Behaviour torch 1.13 cannot produce, so no golden comes from torch itself: `decoupled_weight_decay`
 * on Adam, NAdam and RAdam (added in 2.x). Expected values are derived here by hand from the 2.x
 * update rules, and Adam's flag is checked against torch's own AdamW trajectory.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Adam, AdamW, NAdam, RAdam } from "../../src/optim/index.js";

const GOLDENS = join(import.meta.dirname, "../../fixtures/goldens/optim");

/** Relative error with a tiny absolute floor. */
function relativeError(actual: number, expected: number): number {
  return Math.abs(actual - expected) / Math.max(Math.abs(expected), 1e-12);
}

/** Asserts two vectors agree to `tolerance` in relative error. */
function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tolerance = 1e-13): void {
  expect(actual.length).toBe(expected.length);
  for (let j = 0; j < expected.length; j++) expect(relativeError(actual[j], expected[j])).toBeLessThanOrEqual(tolerance);
}

const START = [0.5, -1.25, 2];
const GRAD_1 = [0.3, -0.7, 1.1];
const GRAD_2 = [-0.2, 0.4, 0.9];

describe("Adam(decoupled_weight_decay=true)", () => {
  it("follows torch's AdamW golden trajectory step for step", () => {
    const golden = JSON.parse(readFileSync(join(GOLDENS, "adamw_amsgrad.json"), "utf8")) as {
      options: { lr: number; weight_decay: number; amsgrad: boolean };
      initial: number[][];
      steps: { grads: number[][]; params: number[][] }[];
    };
    const params = golden.initial.map((values) => Float64Array.from(values));
    const adam = new Adam(params, { ...golden.options, decoupled_weight_decay: true });
    for (const step of golden.steps) {
      adam.step(step.grads);
      step.params.forEach((expected, i) => expectClose(params[i], expected, 1e-10));
    }
  });

  it("equals AdamW with the same settings, and differs from coupled Adam", () => {
    const a = Float64Array.from(START);
    const b = Float64Array.from(START);
    const c = Float64Array.from(START);
    const options = { lr: 0.05, weight_decay: 0.3, betas: [0.8, 0.9] as [number, number] };
    const decoupled = new Adam([a], { ...options, decoupled_weight_decay: true });
    const adamw = new AdamW([b], options);
    const coupled = new Adam([c], options);
    for (const grad of [GRAD_1, GRAD_2, GRAD_1]) {
      decoupled.step([grad]);
      adamw.step([grad]);
      coupled.step([grad]);
      expect(Array.from(a)).toEqual(Array.from(b));
    }
    expect(relativeError(a[0], c[0])).toBeGreaterThan(1e-4);
  });

  it("matches two hand-derived steps", () => {
    const [lr, wd, beta1, beta2, eps] = [0.1, 0.2, 0.9, 0.99, 1e-8];
    const p = Float64Array.from(START);
    new Adam([p], { lr, weight_decay: wd, betas: [beta1, beta2], eps, decoupled_weight_decay: true }).step([GRAD_1]);
    // Step 1: the bias-corrected moments are g and g², so the Adam direction is g / (|g| + eps).
    expectClose(p, START.map((x, j) => x * (1 - lr * wd) - lr * (GRAD_1[j] / (Math.abs(GRAD_1[j]) + eps))));

    const q = Float64Array.from(START);
    const adam = new Adam([q], { lr, weight_decay: wd, betas: [beta1, beta2], eps, decoupled_weight_decay: true });
    adam.step([GRAD_1]);
    adam.step([GRAD_2]);
    const expected = START.map((x, j) => {
      const afterFirst = x * (1 - lr * wd) - lr * (GRAD_1[j] / (Math.abs(GRAD_1[j]) + eps));
      const m = beta1 * (1 - beta1) * GRAD_1[j] + (1 - beta1) * GRAD_2[j];
      const v = beta2 * (1 - beta2) * GRAD_1[j] ** 2 + (1 - beta2) * GRAD_2[j] ** 2;
      const mHat = m / (1 - beta1 ** 2);
      const vHat = v / (1 - beta2 ** 2);
      return afterFirst * (1 - lr * wd) - (lr * mHat) / (Math.sqrt(vHat) + eps);
    });
    expectClose(q, expected, 1e-12);
  });
});

describe("NAdam(decoupled_weight_decay=true)", () => {
  it("matches a hand-derived first step, with torch's float32 momentum product", () => {
    const [lr, wd, beta1, eps, psi] = [0.01, 0.1, 0.9, 1e-8, 4e-3];
    const p = Float64Array.from(START);
    new NAdam([p], { lr, weight_decay: wd, decoupled_weight_decay: true }).step([GRAD_1]);
    const mu1 = beta1 * (1 - 0.5 * 0.96 ** psi);
    const mu2 = beta1 * (1 - 0.5 * 0.96 ** (2 * psi));
    const product = Math.fround(mu1);
    const expected = START.map((x, j) => {
      const g = GRAD_1[j];
      // First moment (1 - beta1) g, second (1 - beta2) g², bias-corrected to g²: the denominator is |g| + eps.
      const denom = Math.abs(g) + eps;
      const shrunk = x * (1 - lr * wd);
      return shrunk - ((lr * (1 - mu1)) / (1 - product)) * (g / denom) - ((lr * mu2) / (1 - product * mu2)) * (((1 - beta1) * g) / denom);
    });
    expectClose(p, expected, 1e-12);
  });

  it("keeps decay out of the moments: with zero gradients, only the shrink moves the parameters", () => {
    const p = Float64Array.from(START);
    const nadam = new NAdam([p], { lr: 0.01, weight_decay: 0.5, decoupled_weight_decay: true });
    nadam.step([[0, 0, 0]]);
    nadam.step([[0, 0, 0]]);
    expectClose(p, START.map((x) => x * (1 - 0.005) ** 2), 1e-15);
    const coupled = Float64Array.from(START);
    new NAdam([coupled], { lr: 0.01, weight_decay: 0.5 }).step([[0, 0, 0]]);
    expect(relativeError(coupled[0], START[0] * (1 - 0.005))).toBeGreaterThan(1e-3);
  });
});

describe("RAdam(decoupled_weight_decay=true)", () => {
  it("takes hand-derived unrectified then rectified steps", () => {
    const [lr, wd, beta1, beta2] = [0.01, 0.1, 0.9, 0.9];
    const p = Float64Array.from(START);
    const radam = new RAdam([p], { lr, weight_decay: wd, betas: [beta1, beta2], decoupled_weight_decay: true });
    radam.step([GRAD_1]);
    // rho_1 = 1 < 5: a bias-corrected momentum step, m / (1 - beta1) = g, after the shrink.
    expectClose(p, START.map((x, j) => x * (1 - lr * wd) - lr * GRAD_1[j]), 1e-14);

    // With beta2 = 0.9, rho_inf = 19 and rho_t passes 5 at step 6; run to step 6 with a constant gradient.
    const q = Float64Array.from(START);
    const rectified = new RAdam([q], { lr, weight_decay: wd, betas: [beta1, beta2], decoupled_weight_decay: true });
    const expected = START.slice();
    const g = GRAD_2;
    for (let t = 1; t <= 6; t++) {
      rectified.step([g]);
      const rhoInf = 2 / (1 - beta2) - 1;
      const rho = rhoInf - (2 * t * beta2 ** t) / (1 - beta2 ** t);
      for (let j = 0; j < 3; j++) {
        // A constant gradient makes the bias-corrected moments exactly g and g².
        expected[j] *= 1 - lr * wd;
        if (rho > 5) {
          const rect = Math.sqrt(((rho - 4) * (rho - 2) * rhoInf) / ((rhoInf - 4) * (rhoInf - 2) * rho));
          const adaptive = Math.sqrt(1 - beta2 ** t) / (Math.sqrt((1 - beta2 ** t) * g[j] ** 2) + 1e-8);
          expected[j] -= lr * g[j] * adaptive * rect;
        } else {
          expected[j] -= lr * g[j];
        }
      }
      expect(rho > 5).toBe(t === 6);
    }
    expectClose(q, expected, 1e-12);
  });
});
