/**
 * Model problems for `optim-lint simulate`: small, seeded, deterministic objectives with analytic
 * gradients, each chosen so one optimizer pitfall shows up in a few hundred steps.
 * They are stand-ins for a network, not the user's network.
 */
import { l2Norm } from "../optim/optimizer.js";
import { seededRandom, type Random } from "./random.js";

export type ProblemId = "noisy-quadratic" | "scaled-regression" | "ill-conditioned-quadratic" | "rosenbrock" | "mlp" | "normalized-regression";

/** Whether weight decay belongs on a parameter tensor (matrices) or not (biases, norm gains). */
export type ParamRole = "weight" | "bias";

/** A number the decay report tracks per problem: one weight, or one tensor's norm. */
export interface TrackedQuantity {
  label: string;
  value: number;
}

export interface Problem {
  id: ProblemId;
  /** The name shown in reports (with the problem's setting, e.g. the global batch). */
  name: string;
  /** What the problem models and what it shows, honestly. */
  description: string;
  /** Step budget. */
  steps: number;
  /** The loss a run must reach to count as converged. */
  targetLoss: number;
  /** The loss is evaluated every this many steps (1 when it is cheap). */
  evalEvery: number;
  /** One entry per parameter tensor, in order. */
  roles: ParamRole[];
  /** Fresh copies of the initial parameters. */
  init(): Float64Array[];
  loss(params: Float64Array[]): number;
  /** The exact gradient of `loss`. */
  grad(params: Float64Array[]): Float64Array[];
  /** A stochastic gradient for one step; absent for full-batch problems. */
  sampleGrad?(params: Float64Array[], random: Random): Float64Array[];
  /** The quantities whose shrinkage a decay comparison reports. */
  tracked(params: Float64Array[]): TrackedQuantity[];
}

/** Sum of squares of all entries. */
function sumOfSquares(arrays: Float64Array[]): number {
  let total = 0;
  for (const array of arrays) for (let i = 0; i < array.length; i++) total += array[i] * array[i];
  return total;
}

/** The Euclidean norm over every parameter. */
export function parameterNorm(params: Float64Array[]): number {
  return Math.sqrt(sumOfSquares(params));
}

/** Norms of every tensor, labelled. */
function tensorNorms(params: Float64Array[], labels: string[]): TrackedQuantity[] {
  return params.map((p, i) => ({ label: `‖${labels[i]}‖`, value: l2Norm(p) }));
}

/** `count` values spaced evenly on a log scale from `first` to `last`. */
function logSpaced(first: number, last: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => first * Math.pow(last / first, count === 1 ? 0 : i / (count - 1)));
}

/** A random orthogonal matrix (row-major, n×n) by Gram–Schmidt on Gaussian rows. */
function randomRotation(n: number, random: Random): Float64Array {
  const q = new Float64Array(n * n);
  for (let row = 0; row < n; row++) {
    for (let col = 0; col < n; col++) q[row * n + col] = random.normal();
    for (let prev = 0; prev < row; prev++) {
      let dot = 0;
      for (let col = 0; col < n; col++) dot += q[row * n + col] * q[prev * n + col];
      for (let col = 0; col < n; col++) q[row * n + col] -= dot * q[prev * n + col];
    }
    let norm = 0;
    for (let col = 0; col < n; col++) norm += q[row * n + col] ** 2;
    norm = Math.sqrt(norm);
    for (let col = 0; col < n; col++) q[row * n + col] /= norm;
  }
  return q;
}

/** How a noisy quadratic is set up: the global batch, the curvature scale, the start and what it is meant to show. */
export interface NoisyQuadraticSetup {
  /** Global batch in units of one worker's batch. */
  globalBatch: number;
  /** Multiplies every curvature (1 by default). */
  curvatureScale?: number;
  /** Every coordinate's start (1 by default). */
  start?: number;
  /** `batch`: the effect of more workers; `step-size`: the effect of the learning rate at one worker's batch. */
  shows: "batch" | "step-size";
  /** The target as a fraction of the initial loss (0.3 by default). */
  targetFraction?: number;
}

/** What the noisy quadratic shows, by setup. */
const NOISY_QUADRATIC_LESSON: Record<NoisyQuadraticSetup["shows"], string> = {
  batch:
    "With more workers the gradient noise is lower, so the same progress can be made with larger steps; keeping " +
    "the single-worker learning rate leaves the low-curvature directions converging slowly. The linear rule holds " +
    "only up to a critical batch size: past it, larger steps become unstable.",
  "step-size":
    "A larger step makes faster progress at first but the loss then fluctuates around a floor that grows with the " +
    "step size; a much smaller step has a low floor but barely moves in the budget.",
};

/**
 * The noisy quadratic model of Zhang et al. (NeurIPS 2019): loss ½ Σ hᵢ θᵢ² with hᵢ ∝ 1/i, and
 * gradient noise of variance hᵢ / B for a global batch of B (in units of one worker's batch).
 */
export function noisyQuadratic(setup: NoisyQuadraticSetup): Problem {
  const { globalBatch, curvatureScale = 1, start = 1, targetFraction = 0.3 } = setup;
  const dim = 100;
  const curvature = Float64Array.from({ length: dim }, (_, i) => curvatureScale / (i + 1));
  const noiseScale = Float64Array.from(curvature, (h) => Math.sqrt(h / globalBatch));
  const loss = ([theta]: Float64Array[]): number => {
    let total = 0;
    for (let i = 0; i < dim; i++) total += curvature[i] * theta[i] * theta[i];
    return total / 2;
  };
  const grad = ([theta]: Float64Array[]): Float64Array[] => [Float64Array.from(theta, (t, i) => curvature[i] * t)];
  const initialLoss = loss([new Float64Array(dim).fill(start)]);
  return {
    id: "noisy-quadratic",
    name: globalBatch === 1 ? "noisy-quadratic" : `noisy-quadratic (global batch ${globalBatch}×)`,
    description:
      "The noisy quadratic model (Zhang et al., 2019): a 100-dimensional quadratic with curvatures proportional to " +
      "1, 1/2, …, 1/100 and gradient noise whose variance is proportional to curvature / batch size. " +
      NOISY_QUADRATIC_LESSON[setup.shows],
    steps: 300,
    evalEvery: 1,
    targetLoss: initialLoss * targetFraction,
    roles: ["weight"],
    init: () => [new Float64Array(dim).fill(start)],
    loss,
    grad,
    sampleGrad: ([theta], random) => [Float64Array.from(theta, (t, i) => curvature[i] * t + noiseScale[i] * random.normal())],
    tracked: ([theta]) => [{ label: "‖θ‖", value: l2Norm(theta) }],
  };
}

/** The least-squares solution of (XᵀX) w = Xᵀy by Gaussian elimination with partial pivoting. */
function solveNormalEquations(gram: number[][], rhs: number[]): number[] {
  const n = rhs.length;
  const a = gram.map((row, i) => [...row, rhs[i]]);
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let row = col + 1; row < n; row++) if (Math.abs(a[row][col]) > Math.abs(a[pivot][col])) pivot = row;
    [a[col], a[pivot]] = [a[pivot], a[col]];
    for (let row = col + 1; row < n; row++) {
      const factor = a[row][col] / a[col][col];
      for (let k = col; k <= n; k++) a[row][k] -= factor * a[col][k];
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let row = n - 1; row >= 0; row--) {
    let sum = a[row][n];
    for (let k = row + 1; k < n; k++) sum -= a[row][k] * x[k];
    x[row] = sum / a[row][row];
  }
  return x;
}

/** Feature scales of the regression problem: two orders of magnitude apart. */
const REGRESSION_FEATURE_SCALES = [0.1, 1, 10];

/**
 * Least-squares regression with an intercept on features whose scales differ by 100×, every true
 * weight equal to 1. The loss is the data term only; decay is left to the optimizer.
 */
export function scaledRegression(): Problem {
  const random = seededRandom(0x5eed_0002);
  const samples = 256;
  const scales = REGRESSION_FEATURE_SCALES;
  const dim = scales.length;
  const x = new Float64Array(samples * dim);
  const y = new Float64Array(samples);
  for (let s = 0; s < samples; s++) {
    let target = 0.5;
    for (let j = 0; j < dim; j++) {
      x[s * dim + j] = scales[j] * random.normal();
      target += x[s * dim + j];
    }
    y[s] = target + 0.1 * random.normal();
  }
  const residuals = (w: Float64Array, b: Float64Array): Float64Array => {
    const r = new Float64Array(samples);
    for (let s = 0; s < samples; s++) {
      let prediction = b[0];
      for (let j = 0; j < dim; j++) prediction += x[s * dim + j] * w[j];
      r[s] = prediction - y[s];
    }
    return r;
  };
  const loss = ([w, b]: Float64Array[]): number => sumOfSquares([residuals(w, b)]) / (2 * samples);
  const grad = ([w, b]: Float64Array[]): Float64Array[] => {
    const r = residuals(w, b);
    const gw = new Float64Array(dim);
    const gb = new Float64Array(1);
    for (let s = 0; s < samples; s++) {
      for (let j = 0; j < dim; j++) gw[j] += r[s] * x[s * dim + j];
      gb[0] += r[s];
    }
    for (let j = 0; j < dim; j++) gw[j] /= samples;
    gb[0] /= samples;
    return [gw, gb];
  };
  const design = Array.from({ length: samples }, (_, s) => [...Array.from({ length: dim }, (_, j) => x[s * dim + j]), 1]);
  const gram = Array.from({ length: dim + 1 }, (_, i) => Array.from({ length: dim + 1 }, (_, k) => design.reduce((sum, row) => sum + row[i] * row[k], 0)));
  const rhs = Array.from({ length: dim + 1 }, (_, i) => design.reduce((sum, row, s) => sum + row[i] * y[s], 0));
  const optimum = solveNormalEquations(gram, rhs);
  const bestLoss = loss([Float64Array.from(optimum.slice(0, dim)), Float64Array.of(optimum[dim])]);
  const initialLoss = loss([new Float64Array(dim), new Float64Array(1)]);
  return {
    id: "scaled-regression",
    name: "scaled-regression",
    description:
      "Least squares with an intercept on three features of scale 0.1, 1 and 10 (true weights all 1). Coupled L2 " +
      "decay (Adam's weight_decay) is added to the gradient before Adam divides by its running gradient scale, so how " +
      "much a weight shrinks depends on its feature's scale; decoupled decay (AdamW) shrinks every weight by the same " +
      "factor per step. The shrinkage row compares each weight with the same run without decay.",
    steps: 3000,
    evalEvery: 1,
    targetLoss: bestLoss + 0.01 * (initialLoss - bestLoss),
    roles: ["weight", "bias"],
    init: () => [new Float64Array(dim), new Float64Array(1)],
    loss,
    grad,
    tracked: ([w, b]) => [
      ...scales.map((scale, j) => ({ label: `w (feature scale ${scale})`, value: w[j] })),
      { label: "intercept", value: b[0] },
    ],
  };
}

/** Inputs, samples and minibatch of the normalized regression. */
const NORMALIZED_DIM = 8;
const NORMALIZED_SAMPLES = 256;
const NORMALIZED_BATCH = 8;
/** The output scale and offset the normalized regression must learn: what a norm layer's gain and a bias hold. */
const NORMALIZED_GAIN = 2.5;
const NORMALIZED_OFFSET = 1.5;

/**
 * A normalized linear unit, `gain · (w·x) / ‖w‖ + bias`, regressing `2.5 · (u·x) + 1.5` with minibatches of 8 out of 256
 * samples: the smallest model with what a normalization layer gives a network. The prediction does not change with
 * the length of `w` (decay on it only changes how fast it turns), while the gain and the bias set the output's scale
 * and offset, so decay on them pulls the predictions toward zero. Under Adam-style updates the pull settles where it
 * balances the gradient's noise, so it stays for the whole run.
 */
export function normalizedRegression(): Problem {
  const random = seededRandom(0x5eed_0006);
  const dim = NORMALIZED_DIM;
  const direction = Float64Array.from({ length: dim }, () => random.normal());
  const length = l2Norm(direction);
  for (let i = 0; i < dim; i++) direction[i] /= length;
  const inputs = Float64Array.from({ length: NORMALIZED_SAMPLES * dim }, () => random.normal());
  const targets = Float64Array.from({ length: NORMALIZED_SAMPLES }, (_, s) => {
    let dot = 0;
    for (let i = 0; i < dim; i++) dot += direction[i] * inputs[s * dim + i];
    return NORMALIZED_GAIN * dot + NORMALIZED_OFFSET + 0.5 * random.normal();
  });
  const initialW = Float64Array.from({ length: dim }, () => random.normal() / Math.sqrt(dim));
  /** The loss and its gradient over the samples `picks` (all of them when absent). */
  const evaluate = ([w, gain, bias]: Float64Array[], picks?: number[]): { loss: number; grad: Float64Array[] } => {
    const count = picks?.length ?? NORMALIZED_SAMPLES;
    const norm = l2Norm(w);
    const gw = new Float64Array(dim);
    const projection = new Float64Array(dim);
    let loss = 0;
    let gGain = 0;
    let gBias = 0;
    for (let k = 0; k < count; k++) {
      const s = picks ? picks[k] : k;
      let dot = 0;
      for (let i = 0; i < dim; i++) dot += w[i] * inputs[s * dim + i];
      const unit = dot / norm;
      const residual = gain[0] * unit + bias[0] - targets[s];
      loss += residual * residual;
      gGain += residual * unit;
      gBias += residual;
      // d(unit)/dw = x / ‖w‖ − (w·x) w / ‖w‖³: only the part of x across w moves the prediction.
      for (let i = 0; i < dim; i++) projection[i] += residual * gain[0] * (inputs[s * dim + i] / norm - (dot * w[i]) / (norm * norm * norm));
    }
    for (let i = 0; i < dim; i++) gw[i] = projection[i] / count;
    return { loss: loss / (2 * count), grad: [gw, Float64Array.of(gGain / count), Float64Array.of(gBias / count)] };
  };
  const noiseFloor = (0.5 * 0.5) / 2;
  const initialLoss = evaluate([initialW, Float64Array.of(1), Float64Array.of(0)]).loss;
  return {
    id: "normalized-regression",
    name: "normalized-regression",
    description:
      "A normalized linear unit, gain · (w·x) / ‖w‖ + bias, fitted to 2.5 · (u·x) + 1.5 on eight features with minibatches " +
      "of 8 out of 256 samples: the smallest model with a normalization layer's gain and a bias. Its output does not " +
      "depend on the length of w, so decaying w is harmless, but decaying the gain and the bias pulls the output's " +
      "scale and offset toward zero and raises the loss for as long as training runs. The shrinkage row shows the " +
      "pull on each; the loss columns show what it costs.",
    steps: 4000,
    evalEvery: 10,
    targetLoss: noiseFloor + 0.02 * (initialLoss - noiseFloor),
    roles: ["weight", "bias", "bias"],
    init: () => [Float64Array.from(initialW), Float64Array.of(1), Float64Array.of(0)],
    loss: (params) => evaluate(params).loss,
    grad: (params) => evaluate(params).grad,
    sampleGrad: (params, rng) => evaluate(params, Array.from({ length: NORMALIZED_BATCH }, () => Math.floor(rng.uniform() * NORMALIZED_SAMPLES))).grad,
    tracked: ([w, gain, bias]) => [
      { label: "‖w‖", value: l2Norm(w) },
      { label: "norm gain", value: gain[0] },
      { label: "bias", value: bias[0] },
    ],
  };
}

/** Curvatures of the ill-conditioned quadratic (condition number 100). */
const QUADRATIC_CURVATURES = logSpaced(4, 0.04, 10);

/** Every coordinate's start: a weight-sized distance, since adaptive steps are measured in parameter units. */
const QUADRATIC_START = 0.1;

/** A rotated 10-dimensional quadratic with curvatures from 4 down to 0.04. */
export function illConditionedQuadratic(): Problem {
  const dim = QUADRATIC_CURVATURES.length;
  const rotation = randomRotation(dim, seededRandom(0x5eed_0003));
  const hessian = new Float64Array(dim * dim);
  for (let i = 0; i < dim; i++)
    for (let k = 0; k < dim; k++) {
      let sum = 0;
      for (let e = 0; e < dim; e++) sum += rotation[e * dim + i] * QUADRATIC_CURVATURES[e] * rotation[e * dim + k];
      hessian[i * dim + k] = sum;
    }
  const grad = ([x]: Float64Array[]): Float64Array[] => {
    const g = new Float64Array(dim);
    for (let i = 0; i < dim; i++) {
      let sum = 0;
      for (let k = 0; k < dim; k++) sum += hessian[i * dim + k] * x[k];
      g[i] = sum;
    }
    return [g];
  };
  const loss = (params: Float64Array[]): number => {
    const [g] = grad(params);
    let total = 0;
    for (let i = 0; i < dim; i++) total += params[0][i] * g[i];
    return total / 2;
  };
  const initialLoss = loss([new Float64Array(dim).fill(QUADRATIC_START)]);
  return {
    id: "ill-conditioned-quadratic",
    name: "ill-conditioned-quadratic",
    description:
      "A rotated 10-dimensional quadratic bowl whose curvatures span 4 to 0.04 (condition number 100), started at " +
      "weight scale (0.1 per coordinate). Progress is limited by the flattest direction; momentum speeds it up, " +
      "Nesterov's look-ahead also damps the oscillation along the steepest one, and moment estimates that are off " +
      "make the optimizer stall or oscillate.",
    steps: 500,
    evalEvery: 1,
    targetLoss: initialLoss * 1e-4,
    roles: ["weight"],
    init: () => [new Float64Array(dim).fill(QUADRATIC_START)],
    loss,
    grad,
    tracked: ([x]) => [{ label: "‖x‖", value: l2Norm(x) }],
  };
}

/** Scale that puts the Rosenbrock valley's steepest curvature near 3, the regime of SGD learning rates. */
const ROSENBROCK_SCALE = 3e-3;

/** The Rosenbrock function (a=1, b=100), scaled, from the classic start (−1.2, 1). */
export function rosenbrock(): Problem {
  const loss = ([p]: Float64Array[]): number => ROSENBROCK_SCALE * ((1 - p[0]) ** 2 + 100 * (p[1] - p[0] * p[0]) ** 2);
  const grad = ([p]: Float64Array[]): Float64Array[] => {
    const inner = p[1] - p[0] * p[0];
    return [Float64Array.of(ROSENBROCK_SCALE * (-2 * (1 - p[0]) - 400 * p[0] * inner), ROSENBROCK_SCALE * 200 * inner)];
  };
  return {
    id: "rosenbrock",
    name: "rosenbrock",
    description:
      "The Rosenbrock function (scaled by 0.003) from (−1.2, 1): a narrow curved valley, where an optimizer must " +
      "turn while it accelerates. A check away from quadratics: here the two forms of momentum behave much alike, " +
      "so a change that only helps on quadratics shows no gain.",
    steps: 2000,
    evalEvery: 1,
    targetLoss: 1e-5,
    roles: ["weight"],
    init: () => [Float64Array.of(-1.2, 1)],
    loss,
    grad,
    tracked: ([p]) => [{ label: "‖(x, y)‖", value: l2Norm(p) }],
  };
}

/** Layer widths of the MLP: inputs, two hidden layers, one output. */
const MLP_WIDTHS = [32, 16, 16, 1];

/** Weights and biases of an MLP in order W1, b1, W2, b2, ..., with torch.nn.Linear's default init. */
function linearLayers(widths: number[], random: Random, gain = 1): Float64Array[] {
  const params: Float64Array[] = [];
  for (let l = 0; l + 1 < widths.length; l++) {
    const bound = gain / Math.sqrt(widths[l]);
    params.push(Float64Array.from({ length: widths[l] * widths[l + 1] }, () => bound * (2 * random.uniform() - 1)));
    params.push(Float64Array.from({ length: widths[l + 1] }, () => bound * (2 * random.uniform() - 1)));
  }
  return params;
}

/** Activations of every layer for every sample (ReLU hidden layers, linear output). */
function forward(params: Float64Array[], inputs: Float64Array, samples: number): Float64Array[] {
  const activations = [inputs];
  const layers = params.length / 2;
  for (let l = 0; l < layers; l++) {
    const fanIn = MLP_WIDTHS[l];
    const fanOut = MLP_WIDTHS[l + 1];
    const weight = params[2 * l];
    const bias = params[2 * l + 1];
    const previous = activations[l];
    const out = new Float64Array(samples * fanOut);
    for (let s = 0; s < samples; s++)
      for (let o = 0; o < fanOut; o++) {
        let sum = bias[o];
        for (let i = 0; i < fanIn; i++) sum += weight[o * fanIn + i] * previous[s * fanIn + i];
        out[s * fanOut + o] = l + 1 < layers && sum < 0 ? 0 : sum;
      }
    activations.push(out);
  }
  return activations;
}

/** Mean squared error of the MLP on a set of samples, halved. */
function mlpLoss(params: Float64Array[], inputs: Float64Array, targets: Float64Array): number {
  const samples = targets.length;
  const output = forward(params, inputs, samples).at(-1)!;
  let total = 0;
  for (let s = 0; s < samples; s++) total += (output[s] - targets[s]) ** 2;
  return total / (2 * samples);
}

/** The gradient of `mlpLoss` by backpropagation. */
function mlpGrad(params: Float64Array[], inputs: Float64Array, targets: Float64Array): Float64Array[] {
  const samples = targets.length;
  const activations = forward(params, inputs, samples);
  const grads = params.map((p) => new Float64Array(p.length));
  const layers = params.length / 2;
  let delta = Float64Array.from(activations[layers], (o, s) => (o - targets[s]) / samples);
  for (let l = layers - 1; l >= 0; l--) {
    const fanIn = MLP_WIDTHS[l];
    const fanOut = MLP_WIDTHS[l + 1];
    const previous = activations[l];
    const weight = params[2 * l];
    const gWeight = grads[2 * l];
    const gBias = grads[2 * l + 1];
    const back = new Float64Array(samples * fanIn);
    for (let s = 0; s < samples; s++)
      for (let o = 0; o < fanOut; o++) {
        const d = delta[s * fanOut + o];
        if (d === 0) continue;
        gBias[o] += d;
        for (let i = 0; i < fanIn; i++) {
          gWeight[o * fanIn + i] += d * previous[s * fanIn + i];
          back[s * fanIn + i] += d * weight[o * fanIn + i];
        }
      }
    if (l > 0) for (let k = 0; k < back.length; k++) if (previous[k] <= 0) back[k] = 0;
    delta = back;
  }
  return grads;
}

/** Samples in the MLP's training set and in one minibatch. */
const MLP_SAMPLES = 256;
const MLP_BATCH = 16;

/**
 * A 32-16-16-1 ReLU MLP regressing the outputs of a random teacher network of the same shape with
 * minibatches of 16 out of 256 samples; the reported loss is over all 256.
 */
export function mlp(): Problem {
  const random = seededRandom(0x5eed_0004);
  const fanIn = MLP_WIDTHS[0];
  const inputs = Float64Array.from({ length: MLP_SAMPLES * fanIn }, () => random.normal());
  const teacher = linearLayers(MLP_WIDTHS, random, 3);
  const rawTargets = forward(teacher, inputs, MLP_SAMPLES).at(-1)!;
  const mean = rawTargets.reduce((a, b) => a + b, 0) / MLP_SAMPLES;
  const std = Math.sqrt(rawTargets.reduce((a, b) => a + (b - mean) ** 2, 0) / MLP_SAMPLES);
  const targets = Float64Array.from(rawTargets, (t) => (t - mean) / std + 0.05 * random.normal());
  const initial = linearLayers(MLP_WIDTHS, seededRandom(0x5eed_0005));
  const labels = ["W1", "b1", "W2", "b2", "W3", "b3"];
  return {
    id: "mlp",
    name: "mlp",
    description:
      "A 32-16-16-1 ReLU network fitted to a random teacher network of the same shape with minibatches of 16 out of " +
      "256 samples (loss over all 256): a small non-convex, stochastic problem where a step that is too large for " +
      "the layer width, or a mistuned moment estimate, shows up as a higher noise floor, dead units or a blow-up.",
    steps: 1000,
    evalEvery: 20,
    targetLoss: 0.05,
    roles: labels.map((label) => (label.startsWith("W") ? "weight" : "bias")),
    init: () => initial.map((p) => Float64Array.from(p)),
    loss: (params) => mlpLoss(params, inputs, targets),
    grad: (params) => mlpGrad(params, inputs, targets),
    sampleGrad: (params, rng) => {
      const batchInputs = new Float64Array(MLP_BATCH * fanIn);
      const batchTargets = new Float64Array(MLP_BATCH);
      for (let k = 0; k < MLP_BATCH; k++) {
        const s = Math.floor(rng.uniform() * MLP_SAMPLES);
        batchTargets[k] = targets[s];
        for (let i = 0; i < fanIn; i++) batchInputs[k * fanIn + i] = inputs[s * fanIn + i];
      }
      return mlpGrad(params, batchInputs, batchTargets);
    },
    tracked: (params) => tensorNorms(params, labels),
  };
}

const DEFAULT_PROBLEMS = new Map<ProblemId, Problem>();

/** A problem by id in its default setup (the noisy quadratic at a single worker's batch); problems are immutable, so one instance is shared. */
export function problemById(id: ProblemId): Problem {
  let problem = DEFAULT_PROBLEMS.get(id);
  if (!problem) DEFAULT_PROBLEMS.set(id, (problem = buildProblem(id)));
  return problem;
}

/** A new instance of a problem by id. */
function buildProblem(id: ProblemId): Problem {
  switch (id) {
    case "noisy-quadratic":
      return noisyQuadratic({ globalBatch: 1, shows: "step-size" });
    case "scaled-regression":
      return scaledRegression();
    case "ill-conditioned-quadratic":
      return illConditionedQuadratic();
    case "rosenbrock":
      return rosenbrock();
    case "mlp":
      return mlp();
    case "normalized-regression":
      return normalizedRegression();
  }
}
