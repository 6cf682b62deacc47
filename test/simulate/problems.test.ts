/** The model problems: analytic gradients against finite differences, and determinism. */
import { describe, expect, it } from "vitest";
import { illConditionedQuadratic, mlp, noisyQuadratic, normalizedRegression, problemById, rosenbrock, scaledRegression, type Problem } from "../../src/simulate/problems.js";
import { seededRandom } from "../../src/simulate/random.js";

/** Parameters moved off the initial point by a seeded perturbation, so the check is not at a special point. */
function perturbed(problem: Problem, seed: number, scale: number): Float64Array[] {
  const random = seededRandom(seed);
  return problem.init().map((p) => p.map((v) => v + scale * random.normal()));
}

/** The largest relative error between the analytic gradient and central differences over some coordinates. */
function gradientError(problem: Problem, params: Float64Array[], coordinatesPerTensor: number): number {
  const analytic = problem.grad(params);
  const random = seededRandom(99);
  let worst = 0;
  params.forEach((tensor, t) => {
    const picks = tensor.length <= coordinatesPerTensor ? [...tensor.keys()] : Array.from({ length: coordinatesPerTensor }, () => Math.floor(random.uniform() * tensor.length));
    for (const i of picks) {
      const original = tensor[i];
      const h = 1e-6 * Math.max(1, Math.abs(original));
      tensor[i] = original + h;
      const up = problem.loss(params);
      tensor[i] = original - h;
      const down = problem.loss(params);
      tensor[i] = original;
      const numeric = (up - down) / (2 * h);
      const error = Math.abs(numeric - analytic[t][i]) / Math.max(1e-6, Math.abs(numeric), Math.abs(analytic[t][i]));
      worst = Math.max(worst, error);
    }
  });
  return worst;
}

const PROBLEMS: [string, () => Problem, number][] = [
  ["noisy quadratic", () => noisyQuadratic({ globalBatch: 4, curvatureScale: 0.3, start: 2, shows: "batch" }), 0.5],
  ["scaled regression", scaledRegression, 0.5],
  ["ill-conditioned quadratic", illConditionedQuadratic, 0.1],
  ["rosenbrock", rosenbrock, 0.3],
  ["mlp", mlp, 0.1],
  ["normalized regression", normalizedRegression, 0.3],
];

describe("analytic gradients", () => {
  for (const [name, make, scale] of PROBLEMS) {
    it(`${name}: matches central differences at the start and at a perturbed point`, () => {
      const problem = make();
      expect(gradientError(problem, problem.init(), 12)).toBeLessThan(1e-5);
      expect(gradientError(problem, perturbed(problem, 7, scale), 12)).toBeLessThan(1e-5);
    });
  }

  it("catches a wrong gradient (the check can fail)", () => {
    const problem = illConditionedQuadratic();
    const broken: Problem = { ...problem, grad: (params) => problem.grad(params).map((g) => g.map((v) => v * 1.01)) };
    expect(gradientError(broken, broken.init(), 12)).toBeGreaterThan(1e-3);
  });
});

describe("stochastic gradients", () => {
  it("the noisy quadratic's gradient noise has zero mean and variance curvature / batch", () => {
    const problem = noisyQuadratic({ globalBatch: 4, shows: "batch" });
    const params = problem.init();
    const exact = problem.grad(params)[0];
    const random = seededRandom(3);
    const draws = 4000;
    const sum = new Float64Array(exact.length);
    const sumSq = new Float64Array(exact.length);
    for (let k = 0; k < draws; k++) {
      const g = problem.sampleGrad!(params, random)[0];
      for (let i = 0; i < g.length; i++) {
        sum[i] += g[i] - exact[i];
        sumSq[i] += (g[i] - exact[i]) ** 2;
      }
    }
    // Coordinate 0 has curvature 1 and coordinate 99 has 1/100: variance 1/4 and 1/400.
    expect(Math.abs(sum[0] / draws)).toBeLessThan(0.03);
    expect(sumSq[0] / draws).toBeCloseTo(0.25, 1);
    expect((sumSq[99] / draws) * 400).toBeCloseTo(1, 0);
  });

  it("the MLP's minibatch gradients average to the full-batch gradient", () => {
    const problem = mlp();
    const params = problem.init();
    const full = problem.grad(params);
    const random = seededRandom(5);
    const draws = 400;
    const mean = full.map((g) => new Float64Array(g.length));
    for (let k = 0; k < draws; k++) problem.sampleGrad!(params, random).forEach((g, t) => g.forEach((v, i) => (mean[t][i] += v / draws)));
    const norm = (arrays: Float64Array[]): number => Math.sqrt(arrays.reduce((s, a) => s + a.reduce((x, v) => x + v * v, 0), 0));
    const difference = mean.map((m, t) => m.map((v, i) => v - full[t][i]));
    expect(norm(difference) / norm(full)).toBeLessThan(0.15);
  });
});

describe("determinism", () => {
  it("the generator repeats its sequence for a seed and differs across seeds", () => {
    const a = seededRandom(42);
    const b = seededRandom(42);
    const c = seededRandom(43);
    const first = Array.from({ length: 20 }, () => a.normal());
    expect(Array.from({ length: 20 }, () => b.normal())).toEqual(first);
    expect(Array.from({ length: 20 }, () => c.normal())).not.toEqual(first);
  });

  it("the generator's normals have mean 0 and variance 1", () => {
    const random = seededRandom(1);
    const values = Array.from({ length: 20000 }, () => random.normal());
    const mean = values.reduce((s, v) => s + v, 0) / values.length;
    const variance = values.reduce((s, v) => s + (v - mean) ** 2, 0) / values.length;
    expect(Math.abs(mean)).toBeLessThan(0.03);
    expect(variance).toBeCloseTo(1, 1);
  });

  it("rebuilding a problem gives the same data, start and stochastic gradients", () => {
    const first = mlp();
    const second = mlp();
    expect(second.loss(second.init())).toBe(first.loss(first.init()));
    const [r1, r2] = [seededRandom(9), seededRandom(9)];
    expect(second.sampleGrad!(second.init(), r2)).toEqual(first.sampleGrad!(first.init(), r1));
    expect(scaledRegression().targetLoss).toBe(scaledRegression().targetLoss);
  });

  it("init returns fresh copies, so a run cannot change another run's start", () => {
    const problem = problemById("ill-conditioned-quadratic");
    const params = problem.init();
    params[0][0] = 123;
    expect(problem.init()[0][0]).toBe(0.1);
  });

  it("every problem declares a role per parameter tensor and a reachable-looking target below its initial loss", () => {
    for (const [, make] of PROBLEMS) {
      const problem = make();
      expect(problem.roles).toHaveLength(problem.init().length);
      expect(problem.targetLoss).toBeGreaterThan(0);
      expect(problem.targetLoss).toBeLessThan(problem.loss(problem.init()));
    }
  });
});
