/**
 * The float32 path (src/optim/float32.ts, src/optim/simd.ts): `fma32` against exact rational arithmetic,
 * and the WebAssembly SIMD kernels against the scalar loops, bit for bit, on long arrays (several chunks
 * and a ragged tail) that include the halfway sums and subnormal values the kernels hand back to the
 * loops. Agreement with real torch is the float32 golden trajectories' job (optimizers.golden.test.ts).
 */
import { afterEach, describe, expect, it } from "vitest";
import { Adam, AdamW, SGD } from "../../src/optim/index.js";
import { fma32 } from "../../src/optim/float32.js";
import { allocFloat32, float32Kernels, probeRoundsOnce, setFloat32Kernels, type Float32Kernels } from "../../src/optim/simd.js";

const f = Math.fround;

/** x as mantissa * 2^exponent, both exact (x finite). */
function exact(x: number): { mantissa: bigint; exponent: number } {
  if (x === 0) return { mantissa: 0n, exponent: 0 };
  const bits = new DataView(new ArrayBuffer(8));
  bits.setFloat64(0, x);
  const hi = bits.getUint32(0);
  const lo = bits.getUint32(4);
  const biased = (hi >>> 20) & 0x7ff;
  let mantissa = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  if (biased !== 0) mantissa |= 1n << 52n;
  const sign = hi >>> 31 ? -1n : 1n;
  return { mantissa: sign * mantissa, exponent: (biased === 0 ? 1 : biased) - 1075 };
}

/** a * b + c rounded once to float32 (ties to even), with exact integer arithmetic. */
function exactFma32(a: number, b: number, c: number): number {
  const [ea, eb, ec] = [exact(a), exact(b), exact(c)];
  const low = Math.min(ea.exponent + eb.exponent, ec.exponent, -149 - 2);
  const scaled = (e: { mantissa: bigint; exponent: number }, shift: number) => e.mantissa << BigInt(shift);
  const value = scaled({ mantissa: ea.mantissa * eb.mantissa, exponent: 0 }, ea.exponent + eb.exponent - low) + scaled(ec, ec.exponent - low);
  const asNumber = (v: number) => {
    const e = exact(v);
    return e.mantissa << BigInt(e.exponent - low);
  };
  const guess = f(a * b + c);
  const below = nextFloat32(guess, -1);
  const above = nextFloat32(guess, 1);
  let best = guess;
  let bestDistance = -1n;
  for (const candidate of [below, guess, above]) {
    let distance = asNumber(candidate) - value;
    if (distance < 0n) distance = -distance;
    const tieWins = distance === bestDistance && (float32Bits(candidate) & 1) === 0;
    if (bestDistance < 0n || distance < bestDistance || tieWins) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

function float32Bits(x: number): number {
  return new Uint32Array(new Float32Array([x]).buffer)[0];
}

function nextFloat32(x: number, direction: 1 | -1): number {
  const bits = float32Bits(x);
  const up = x > 0 || (x === 0 && direction > 0 && !Object.is(x, -0)) ? direction : -direction;
  if (x === 0) return direction * 2 ** -149;
  return new Float32Array(new Uint32Array([bits + up]).buffer)[0];
}

/** Deterministic float32 values in [low, low + span). */
function values(n: number, seed: number, low = -1, span = 2): Float32Array {
  let x = seed;
  return Float32Array.from({ length: n }, () => {
    x = (x * 1103515245 + 12345) % 2147483648;
    return low + (x / 2147483648) * span;
  });
}

/** Two full chunks of the kernels plus a part chunk whose length is not a multiple of four. */
const N = 16384 * 2 + 1031;

// An SGD update p - lr * g whose float64 sum lies exactly halfway between two float32 values while the
// exact sum lies below: rounding the float64 sum again would give 1 + 2^-22, the fused result is 1 + 2^-23.
const HALFWAY = { lr: 2 ** -24 * (1 - 2 ** -15), g: -(1 + 2 ** -15), p: 1 + 2 ** -23 };

afterEach(() => setFloat32Kernels("fused"));

describe("fma32", () => {
  it("rounds a * b + c once, like a fused multiply-add, on random and hand-picked float32 triples", () => {
    const cases: [number, number, number][] = [
      [-HALFWAY.g, -HALFWAY.lr, HALFWAY.p],
      [HALFWAY.g, HALFWAY.lr, HALFWAY.p],
      [1 + 2 ** -15, 2 ** -24 * (1 - 2 ** -15), 1],
      [2 ** -75, 2 ** -75, 2 ** -149],
      [3, 2 ** -100, -(2 ** -98)],
      [0.1, 0.2, -0.02],
      [-0, 5, 0],
    ].map((triple) => triple.map(f) as [number, number, number]);
    let seed = 7;
    const next = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    for (let k = 0; k < 20000; k++) {
      const scale = () => 2 ** Math.floor(next() * 60 - 30);
      cases.push([f((next() - 0.5) * scale()), f((next() - 0.5) * scale()), f((next() - 0.5) * scale())]);
    }
    for (const [a, b, c] of cases) expect([a, b, c, fma32(a, b, c)]).toEqual([a, b, c, exactFma32(a, b, c)]);
    expect(fma32(HALFWAY.g, -HALFWAY.lr, HALFWAY.p)).toBe(1 + 2 ** -23);
    expect(f(HALFWAY.g * -HALFWAY.lr + HALFWAY.p)).toBe(1 + 2 ** -22);
  });
});

describe("float32 SIMD kernels", () => {
  it("are fused on this runtime (relaxed SIMD on a CPU with fused multiply-add)", () => {
    expect(float32Kernels()).toBe("fused");
  });

  it("are fused only after a probe that tells a fused multiply-add from a multiply and an add", () => {
    expect(probeRoundsOnce("fused")).toBe(true);
    // What relaxed SIMD's multiply-add may compile to on a CPU without a fused one: the probe must refuse it.
    expect(probeRoundsOnce("twice")).toBe(false);
  });

  /**
   * The ways a float32 step can run: fused kernels on copied arrays and on arrays in their memory
   * (`allocFloat32`), emulated kernels, and the scalar loops alone.
   */
  const variants: [string, Float32Kernels, boolean][] = [
    ["fused", "fused", false],
    ["fused in place", "fused", true],
    ["emulated", "emulated", false],
    ["scalar", "scalar", false],
  ];

  /** A copy of the values, in the kernels' memory when `resident`. */
  function array(values: Float32Array, resident: boolean): Float32Array {
    const copy = resident ? allocFloat32(values.length) : new Float32Array(values.length);
    copy.set(values);
    return copy;
  }

  interface Run {
    p: number[];
    state: string;
  }

  /** Runs `steps` steps in each variant from the same start; returns each variant's final parameter and state dict. */
  function runs(make: (p: Float32Array) => { step(g: Float32Array[]): void; stateDict(): unknown }, grads: (t: number) => Float32Array, start: Float32Array, steps = 4) {
    const out: Record<string, Run> = {};
    for (const [label, kinds, resident] of variants) {
      setFloat32Kernels(kinds);
      expect(float32Kernels()).toBe(kinds);
      const p = array(start, resident);
      expect(p.buffer instanceof ArrayBuffer && p.buffer.byteLength > p.byteLength).toBe(resident);
      const optimizer = make(p);
      for (let t = 0; t < steps; t++) optimizer.step([array(grads(t), resident)]);
      out[label] = { p: Array.from(p), state: JSON.stringify(optimizer.stateDict()) };
    }
    return out;
  }

  /** Every variant's result equals the scalar loops', bit for bit (toEqual tells 0 from -0 and compares NaN). */
  function expectSameBits(results: Record<string, Run>, context: Record<string, unknown> = {}): void {
    for (const [label] of variants) expect({ ...context, variant: label, ...results[label] }).toEqual({ ...context, variant: label, ...results.scalar });
  }

  const sgdCases: [string, ConstructorParameters<typeof SGD>[1]][] = [
    ["plain", { lr: 0.1 }],
    ["maximize with decay", { lr: 0.1, weight_decay: 0.01, maximize: true }],
    ["momentum", { lr: 0.01, momentum: 0.9 }],
    ["dampened momentum", { lr: 0.01, momentum: 0.9, dampening: 0.25 }],
    ["Nesterov with decay", { lr: 0.01, momentum: 0.9, nesterov: true, weight_decay: 0.05 }],
  ];
  for (const [label, options] of sgdCases) {
    it(`SGD ${label}: kernels and scalar loops give the same bits`, () => {
      expectSameBits(runs((p) => new SGD([p], options), (t) => values(N, 10 + t), values(N, 1)));
    });
  }

  const adamCases: [string, typeof Adam, ConstructorParameters<typeof Adam>[1]][] = [
    ["Adam", Adam, { lr: 0.01 }],
    ["Adam maximizing with L2 decay", Adam, { lr: 0.01, maximize: true, weight_decay: 0.1, betas: [0.8, 0.99] }],
    ["Adam AMSGrad", Adam, { lr: 0.01, amsgrad: true }],
    ["AdamW", AdamW, { lr: 0.01, weight_decay: 0.1 }],
    ["AdamW AMSGrad maximizing", AdamW, { lr: 0.01, weight_decay: 0.1, amsgrad: true, maximize: true }],
  ];
  for (const [label, Optimizer, options] of adamCases) {
    it(`${label}: kernels and scalar loops give the same bits`, () => {
      expectSameBits(runs((p) => new Optimizer([p], options), (t) => values(N, 20 + t, t % 2 ? -1e-3 : -1, t % 2 ? 2e-3 : 2), values(N, 2, 0, 1)));
    });
  }

  it("hand halfway sums back to the scalar loops, inside a chunk and in the tail", () => {
    const start = values(N, 3, 0.5, 1);
    const grads = values(N, 4);
    for (const j of [5, 16384 + 100, N - 2]) {
      start[j] = HALFWAY.p;
      grads[j] = HALFWAY.g;
    }
    const plain = runs((p) => new SGD([p], { lr: HALFWAY.lr }), () => grads, start, 1);
    expectSameBits(plain);
    for (const j of [5, 16384 + 100, N - 2]) expect(plain.scalar.p[j]).toBe(1 + 2 ** -23);
    // The first step with momentum, whose kernel sets the buffer to the gradient: a handed-back chunk gets
    // its buffer from the scalar loop as well.
    const seeded = runs((p) => new SGD([p], { lr: HALFWAY.lr, momentum: 0.9 }), () => grads, start, 1);
    expectSameBits(seeded);
    for (const j of [5, 16384 + 100, N - 2]) expect(seeded.scalar.p[j]).toBe(1 + 2 ** -23);
    expect(JSON.parse(seeded.scalar.state).state[0].momentum_buffer.slice(0, 8)).toEqual(Array.from(grads.subarray(0, 8)));
  });

  it("restore the state of a handed-back chunk, in the kernels' memory and in arrays of a loaded state dict", () => {
    // Step 1 leaves p and a zero buffer at the marked elements; step 2's buffer is then HALFWAY.g.
    const marked = [12, 16384 + 4001, N - 9];
    const start = values(N, 7, 0.5, 1);
    const grads = [values(N, 8), values(N, 9)];
    for (const j of marked) {
      start[j] = HALFWAY.p;
      grads[0][j] = 0;
      grads[1][j] = HALFWAY.g;
    }
    const options = { lr: HALFWAY.lr, momentum: 0.5 };
    const twoSteps = runs((p) => new SGD([p], options), (t) => grads[t % 2], start, 2);
    expectSameBits(twoSteps);
    for (const j of marked) expect(twoSteps.scalar.p[j]).toBe(1 + 2 ** -23);

    // The same second step on state loaded from a state dict (plain arrays, copied through the scratch memory).
    for (const [label, kinds, resident] of variants) {
      setFloat32Kernels(kinds);
      const p = array(start, resident);
      const first = new SGD([p], options);
      first.step([grads[0]]);
      const resumed = new SGD([p], options);
      resumed.loadStateDict(JSON.parse(JSON.stringify(first.stateDict())));
      resumed.step([array(grads[1], resident)]);
      expect({ label, p: Array.from(p) }).toEqual({ label, p: twoSteps.scalar.p });
    }
  });

  it("hand subnormal results back to the scalar loops", () => {
    // Gradients near 1e-22 give second moments below float32's normal range.
    const tiny = (t: number) => values(N, 30 + t, -2e-22, 4e-22);
    expectSameBits(runs((p) => new Adam([p], { lr: 0.01 }), tiny, values(N, 5, 0, 1), 3));
    expectSameBits(runs((p) => new SGD([p], { lr: 0.1, momentum: 0.9, dampening: 0.5 }), tiny, values(N, 6, -1e-38, 2e-38), 3));
  });

  it("hand back a subnormal result whose float64 sum sits halfway at subnormal precision", () => {
    // p = 2^-127 + 2^-149 (subnormal, an odd count of 2^-149) and g * -lr = 2^-150 (1 - 2^-46): the exact
    // sum lies just below the halfway point p + 2^-150, so the fused result is p. Its float64 sum is that
    // halfway point, which float32's normal-range check does not see (its low 29 bits are zero), and
    // rounding it to float32 would give p + 2^-149, ties going to even.
    const p0 = f(2 ** -127 + 2 ** -149);
    const lr = f(2 ** -75 * (1 - 2 ** -23));
    const g0 = f(-(2 ** -75) * (1 + 2 ** -23));
    expect(fma32(g0, -lr, p0)).toBe(p0);
    expect(f(g0 * -lr + p0)).toBe(f(2 ** -127 + 2 ** -148));
    const start = values(N, 11, 0.5, 1);
    const grads = values(N, 12);
    const marked = [3, 16384 + 77, N - 4];
    for (const j of marked) {
      start[j] = p0;
      grads[j] = g0;
    }
    const results = runs((p) => new SGD([p], { lr }), () => grads, start, 1);
    expectSameBits(results);
    for (const j of marked) expect(results.scalar.p[j]).toBe(p0);
  });

  /** SGD and Adam configurations run on every length below, one per kernel shape the optimizers use. */
  const shapes: [string, (p: Float32Array) => SGD | Adam][] = [
    ["SGD", (p) => new SGD([p], { lr: 0.1 })],
    ["SGD momentum", (p) => new SGD([p], { lr: 0.01, momentum: 0.9 })],
    ["SGD Nesterov with decay", (p) => new SGD([p], { lr: 0.01, momentum: 0.9, nesterov: true, weight_decay: 0.05 })],
    ["SGD dampened, maximizing", (p) => new SGD([p], { lr: 0.01, momentum: 0.9, dampening: 0.3, maximize: true })],
    ["Adam", (p) => new Adam([p], { lr: 0.01 })],
    ["AdamW AMSGrad", (p) => new AdamW([p], { lr: 0.01, amsgrad: true })],
  ];

  it("give the scalar loops' bits on every length from 1 to 70 and around the chunk and state-memory sizes", () => {
    const lengths = [...Array.from({ length: 70 }, (_, k) => k + 1), 4095, 4096, 4097, 4111, 16383, 16385, 16384 + 16 * 3 + 5];
    for (const [label, make] of shapes) {
      for (const n of lengths) {
        expectSameBits(runs(make, (t) => values(n, 40 + t), values(n, 41, 0, 1), 3), { label, n });
      }
    }
  });

  it("read a gradient that is the parameter itself, a float64 array, or a view at an odd offset as the scalar loops do", () => {
    const n = 16384 + 1003;
    for (const [label, make] of shapes) {
      const results = (run: (kinds: Float32Kernels, resident: boolean) => Run) => {
        const out: Record<string, Run> = {};
        for (const [variant, kinds, resident] of variants) {
          setFloat32Kernels(kinds);
          out[variant] = run(kinds, resident);
        }
        return out;
      };
      // The parameter as its own gradient: each element reads its old value before it is written.
      const self = results((_, resident) => {
        const p = array(values(n, 50, 0, 1), resident);
        const optimizer = make(p);
        for (let t = 0; t < 3; t++) optimizer.step([p]);
        return { p: Array.from(p), state: JSON.stringify(optimizer.stateDict()) };
      });
      expectSameBits(self, { label, gradient: "the parameter" });
      // A parameter and a gradient that are views one element into larger buffers (not 16-byte aligned), the
      // gradient given as float64 values.
      const views = results((_, resident) => {
        const buffer = array(new Float32Array(n + 2), resident);
        const p = buffer.subarray(1, n + 1);
        p.set(values(n, 51, 0, 1));
        const optimizer = make(p);
        for (let t = 0; t < 3; t++) {
          const g = new Float64Array(n + 1).subarray(1);
          g.set(values(n, 52 + t));
          optimizer.step([g]);
        }
        return { p: Array.from(p), state: JSON.stringify(optimizer.stateDict()) };
      });
      expectSameBits(views, { label, gradient: "float64 view" });
      // A float32 gradient overlapping the parameter one element further on (in the kernels' memory too).
      const shifted = results((_, resident) => {
        const buffer = array(values(n + 1, 53, 0, 1), resident);
        const p = buffer.subarray(0, n);
        const optimizer = make(p);
        for (let t = 0; t < 3; t++) optimizer.step([buffer.subarray(1)]);
        return { p: Array.from(p), state: JSON.stringify(optimizer.stateDict()) };
      });
      expectSameBits(shifted, { label, gradient: "overlapping view" });
    }
  });
});
