/**
 * Float32 fast path: WebAssembly SIMD kernels (four float32 lanes) for SGD and Adam/AdamW on
 * Float32Array parameters, with exactly the arithmetic of ./float32.ts, which is torch's.
 *
 * Plain float32 lane operations (`f32x4.mul`, `add`, `div`, `sqrt`, `max`) round as torch's kernels do.
 * torch fuses its multiply-adds, and WebAssembly SIMD has no fused multiply-add, so each one is done on
 * two float64 lanes: the product of two float32 values is exact there, and the float64 sum rounded to
 * float32 is the fused result unless that sum lies exactly halfway between two float32 values (or in
 * float32's subnormal range). A kernel marks such lanes; the chunk they are in is then computed again by
 * the scalar loops of ./float32.ts, which settle the halfway case exactly. Either way the result is the
 * same bits.
 *
 * WebAssembly cannot see a JavaScript array, so the arrays pass through one shared memory in chunks small
 * enough to stay in the CPU cache: each element still crosses main memory once per step. The modules are
 * assembled from instruction bytes below, one per option combination when first needed (no compiler at
 * build or install time). Where WebAssembly SIMD is missing the scalar loops run.
 */
import { adamFloat32, sgdFloat32, type AdamFloat32Args, type SgdFloat32Args } from "./float32.js";
import type { Gradient } from "./optimizer.js";

/** Float32 elements per array in one chunk (a multiple of 4). */
const CHUNK = 8192;
/** Element offsets of the scratch arrays: parameter, gradient, then up to three state buffers. */
const SLOTS = 5;
const PAGES = Math.ceil((SLOTS * CHUNK * 4) / 65536);
const [P, G, A, B, C] = [0, 1, 2, 3, 4].map((slot) => slot * CHUNK * 4);

// ---- A minimal WebAssembly encoder: just what the kernels use. ----

/** Unsigned LEB128. */
function u32(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

function vec(items: number[][]): number[] {
  return [...u32(items.length), ...items.flat()];
}

function section(id: number, body: number[]): number[] {
  return [id, ...u32(body.length), ...body];
}

function name(text: string): number[] {
  return vec([...text].map((c) => [c.charCodeAt(0)]));
}

const I32 = 0x7f;
const F32 = 0x7d;
const V128 = 0x7b;

const simd = (op: number): number[] => [0xfd, ...u32(op)];
const OP = {
  load: (offset: number) => [...simd(0x00), 4, ...u32(offset)],
  store: (offset: number) => [...simd(0x0b), 4, ...u32(offset)],
  const: (bytes: Uint8Array) => [...simd(0x0c), ...bytes],
  shuffle: (lanes: number[]) => [...simd(0x0d), ...lanes],
  f32Splat: simd(0x13),
  f64Splat: simd(0x14),
  f64Ne: simd(0x48),
  f64Lt: simd(0x49),
  and: simd(0x4e),
  or: simd(0x50),
  anyTrue: simd(0x53),
  demote: simd(0x5e),
  promote: simd(0x5f),
  i64Eq: simd(0xd6),
  f32Neg: simd(0xe1),
  f32Sqrt: simd(0xe3),
  f32Add: simd(0xe4),
  f32Mul: simd(0xe6),
  f32Div: simd(0xe7),
  f32Max: simd(0xe9),
  f64Abs: simd(0xec),
  f64Add: simd(0xf0),
  f64Mul: simd(0xf2),
};
/** Bytes 8..15 of a vector moved to 0..7: the high two float32 lanes where `promote` reads. */
const HIGH_LANES = [8, 9, 10, 11, 12, 13, 14, 15, 8, 9, 10, 11, 12, 13, 14, 15];
/** The low two float32 lanes of each of two vectors, side by side. */
const JOIN_LOW = [0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23];

function i64Pair(value: bigint): Uint8Array {
  return new Uint8Array(new BigInt64Array([value, value]).buffer);
}

function f64Pair(value: number): Uint8Array {
  return new Uint8Array(new Float64Array([value, value]).buffer);
}

/**
 * One exported kernel: `(n, ...scalars: f32) -> i32` over `n` float32 elements (a multiple of four) at
 * the scratch offsets; it returns 1 when some multiply-add could not be rounded exactly (see above).
 */
class Kernel {
  readonly code: number[] = [];
  private v128s = 0;
  private readonly i: number;
  private readonly end: number;
  private readonly bad: number;
  private readonly splats32: number[] = [];
  private readonly splats64: number[] = [];
  private readonly lowBits: number;
  private readonly midpoint: number;
  private readonly minNormal: number;
  private readonly zero: number;
  private readonly prologue: number[] = [];

  constructor(readonly scalars: number) {
    this.i = scalars + 1;
    this.end = scalars + 2;
    this.bad = this.local();
    this.lowBits = this.constant(i64Pair(0x1fffffffn));
    this.midpoint = this.constant(i64Pair(0x10000000n));
    this.minNormal = this.constant(f64Pair(2 ** -126));
    this.zero = this.constant(f64Pair(0));
    for (let s = 1; s <= scalars; s++) {
      const as32 = this.local();
      const as64 = this.local();
      this.prologue.push(0x20, ...u32(s), ...OP.f32Splat, 0x21, ...u32(as32));
      this.prologue.push(0x20, ...u32(s), 0xbb, ...OP.f64Splat, 0x21, ...u32(as64)); // f64.promote_f32
      this.splats32.push(as32);
      this.splats64.push(as64);
    }
  }

  private local(): number {
    return this.scalars + 3 + this.v128s++;
  }

  private constant(bytes: Uint8Array): number {
    const index = this.local();
    this.prologue.push(...OP.const(bytes), 0x21, ...u32(index));
    return index;
  }

  private get(index: number): number[] {
    return [0x20, ...u32(index)];
  }

  private set(code: number[]): number {
    const index = this.local();
    this.code.push(...code, 0x21, ...u32(index));
    return index;
  }

  /** Scalar parameter k (1-based) splatted to four float32 lanes. */
  scalar(k: number): Value {
    return { lanes: this.splats32[k - 1], pair: this.splats64[k - 1] };
  }

  load(offset: number): Value {
    return { lanes: this.set([...this.get(this.i), ...OP.load(offset)]) };
  }

  store(offset: number, value: Value): void {
    this.code.push(...this.get(this.i), ...this.get(value.lanes), ...OP.store(offset));
  }

  /** A float32 lane operation on one or two values. */
  op(code: number[], a: Value, b?: Value): Value {
    return { lanes: this.set([...this.get(a.lanes), ...(b ? this.get(b.lanes) : []), ...code]) };
  }

  /** Float64 lanes of the low (half 0) or high (half 1) two float32 lanes; a scalar's are ready. */
  private widen(value: Value, half: 0 | 1): number[] {
    if (value.pair !== undefined) return this.get(value.pair);
    if (half === 0) return [...this.get(value.lanes), ...OP.promote];
    return [...this.get(value.lanes), ...this.get(value.lanes), ...OP.shuffle(HIGH_LANES), ...OP.promote];
  }

  /** a * b + c rounded once, lane by lane; lanes it cannot settle set the kernel's flag. */
  fma(a: Value, b: Value, c: Value): Value {
    const sums = ([0, 1] as const).map((half) => {
      const sum = this.set([...this.widen(a, half), ...this.widen(b, half), ...OP.f64Mul, ...this.widen(c, half), ...OP.f64Add]);
      // Flag a sum whose 29 bits below float32's precision read exactly one half, or a nonzero sum
      // below float32's normal range.
      this.code.push(
        ...this.get(this.bad),
        ...this.get(sum), ...this.get(this.lowBits), ...OP.and, ...this.get(this.midpoint), ...OP.i64Eq,
        ...OP.or,
        ...this.get(sum), ...OP.f64Abs, ...this.get(this.minNormal), ...OP.f64Lt,
        ...this.get(sum), ...this.get(this.zero), ...OP.f64Ne, ...OP.and,
        ...OP.or,
        0x21, ...u32(this.bad),
      );
      return sum;
    });
    return {
      lanes: this.set([...this.get(sums[0]), ...OP.demote, ...this.get(sums[1]), ...OP.demote, ...OP.shuffle(JOIN_LOW)]),
    };
  }

  /** The function body: prologue, the loop over 16-byte steps, the flag as the result. */
  body(): number[] {
    const [i, end] = [this.i, this.end];
    const code = [
      ...this.get(0), 0x41, 2, 0x74, 0x21, ...u32(end), // end = n << 2
      ...this.prologue,
      0x02, 0x40, 0x03, 0x40, // block, loop
      ...this.get(i), ...this.get(end), 0x4f, 0x0d, 1, // i >= end (unsigned): leave
      ...this.code,
      ...this.get(i), 0x41, 16, 0x6a, 0x21, ...u32(i), // i += 16
      0x0c, 0, 0x0b, 0x0b, // continue; end loop; end block
      ...this.get(this.bad), ...OP.anyTrue,
      0x0b,
    ];
    const bytes = [...vec([[2, I32], [this.v128s, V128]]), ...code];
    return [...u32(bytes.length), ...bytes];
  }
}

interface Value {
  /** Local holding four float32 lanes. */
  lanes: number;
  /** For a scalar: local holding it in two float64 lanes. */
  pair?: number;
}

/** A module exporting one kernel `run`, its memory imported as `env.memory`. */
function moduleBytes(kernel: Kernel): Uint8Array<ArrayBuffer> {
  const type = [0x60, ...vec([[I32], ...Array.from({ length: kernel.scalars }, () => [F32])]), ...vec([[I32]])];
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec([type])),
    ...section(2, vec([[...name("env"), ...name("memory"), 0x02, 0x00, ...u32(PAGES)]])),
    ...section(3, vec([[0]])),
    ...section(7, vec([[...name("run"), 0x00, 0]])),
    ...section(10, vec([kernel.body()])),
  ]);
}

/** Options that change a kernel's instructions. */
interface SgdShape {
  maximize: boolean;
  decay: boolean;
  momentum: boolean;
  nesterov: boolean;
  /** 1 - dampening is 1: the buffer update is a plain sum. */
  keepOne: boolean;
}

/** SGD, scalars (decay, momentum, keep, negLr). Scratch: p at P, g at G, buf at A. */
function sgdKernel(shape: SgdShape): Kernel {
  const k = new Kernel(4);
  const [decay, momentum, keep, negLr] = [1, 2, 3, 4].map((s) => k.scalar(s));
  const p = k.load(P);
  let d = k.load(G);
  if (shape.maximize) d = k.op(OP.f32Neg, d);
  if (shape.decay) d = k.fma(p, decay, d);
  if (shape.momentum) {
    const kept = k.op(OP.f32Mul, k.load(A), momentum);
    const buf = shape.keepOne ? k.op(OP.f32Add, d, kept) : k.fma(d, keep, kept);
    k.store(A, buf);
    d = shape.nesterov ? k.fma(buf, momentum, d) : buf;
  }
  k.store(P, k.fma(d, negLr, p));
  return k;
}

interface AdamShape {
  maximize: boolean;
  decay: boolean;
  shrink: boolean;
  amsgrad: boolean;
}

/** Adam, scalars (decay, shrink, beta1, keep1, beta2, keep2, bc2Sqrt, eps, negStepSize). Scratch: p, g, m at A, v at B, vMax at C. */
function adamKernel(shape: AdamShape): Kernel {
  const k = new Kernel(9);
  const [decay, shrink, beta1, keep1, beta2, keep2, bc2Sqrt, eps, negStepSize] = [1, 2, 3, 4, 5, 6, 7, 8, 9].map((s) => k.scalar(s));
  let p = k.load(P);
  if (shape.shrink) p = k.op(OP.f32Mul, p, shrink);
  let d = k.load(G);
  if (shape.maximize) d = k.op(OP.f32Neg, d);
  if (shape.decay) d = k.fma(p, decay, d);
  const m = k.fma(d, keep1, k.op(OP.f32Mul, k.load(A), beta1));
  const v = k.fma(k.op(OP.f32Mul, keep2, d), d, k.op(OP.f32Mul, k.load(B), beta2));
  k.store(A, m);
  k.store(B, v);
  let second = v;
  if (shape.amsgrad) {
    second = k.op(OP.f32Max, k.load(C), v);
    k.store(C, second);
  }
  const denom = k.op(OP.f32Add, k.op(OP.f32Div, k.op(OP.f32Sqrt, second), bc2Sqrt), eps);
  k.store(P, k.op(OP.f32Add, p, k.op(OP.f32Div, k.op(OP.f32Mul, negStepSize, m), denom)));
  return k;
}

// ---- The kernels as the optimizers call them. ----

type Run = (n: number, ...scalars: number[]) => number;

interface Runtime {
  heap: Float32Array;
  /** Full-chunk views of the scratch slots. */
  slots: Float32Array[];
  kernels: Map<string, Run>;
}

let runtime: Runtime | null | undefined;
let enabled = true;

/** The shared memory and kernel cache, or null where this runtime has no WebAssembly SIMD. */
function simdRuntime(): Runtime | null {
  if (!enabled) return null;
  if (runtime !== undefined) return runtime;
  runtime = null;
  if (typeof WebAssembly !== "object" || !WebAssembly.validate(moduleBytes(sgdKernel({ maximize: false, decay: false, momentum: true, nesterov: false, keepOne: true })))) {
    return runtime;
  }
  const memory = new WebAssembly.Memory({ initial: PAGES, maximum: PAGES });
  const heap = new Float32Array(memory.buffer);
  const slots = [P, G, A, B, C].map((offset) => heap.subarray(offset / 4, offset / 4 + CHUNK));
  runtime = { heap, slots, kernels: new Map() };
  memoryOf.set(runtime, memory);
  return runtime;
}

const memoryOf = new WeakMap<Runtime, WebAssembly.Memory>();

function kernelFor(rt: Runtime, key: string, build: () => Kernel): Run {
  let run = rt.kernels.get(key);
  if (!run) {
    const instance = new WebAssembly.Instance(new WebAssembly.Module(moduleBytes(build())), { env: { memory: memoryOf.get(rt)! } });
    run = instance.exports.run as Run;
    rt.kernels.set(key, run);
  }
  return run;
}

/** Whether the kernels may run (tests switch them off to check the scalar loops alone). */
export function setFloat32Simd(on: boolean): void {
  enabled = on;
}

/** Whether WebAssembly SIMD kernels are available and switched on. */
export function float32SimdAvailable(): boolean {
  return simdRuntime() !== null;
}

/** A typed array the scratch memory can copy from (converting to float32 as it goes). */
function copyable(g: Gradient): g is Float32Array | Float64Array {
  return g instanceof Float32Array || g instanceof Float64Array;
}

function view(rt: Runtime, slot: number, length: number): Float32Array {
  return length === CHUNK ? rt.slots[slot] : rt.slots[slot].subarray(0, length);
}

/**
 * Runs `kernel` over the four-lane part of each chunk: `inputs` copied in (slot by position), `outputs`
 * (slot numbers) copied back unless the kernel flags the chunk, in which case `scalar` computes it from
 * the untouched arrays. The last `n % 4` elements always go to `scalar`.
 */
function chunked(
  rt: Runtime,
  n: number,
  inputs: (Float32Array | Float64Array)[],
  outputs: number[],
  kernel: () => number,
  setLength: (length: number) => void,
  scalar: (from: number, to: number) => void,
): void {
  const lanes = n - (n % 4);
  for (let start = 0; start < lanes; start += CHUNK) {
    const end = Math.min(start + CHUNK, lanes);
    const length = end - start;
    for (let s = 0; s < inputs.length; s++) rt.heap.set(inputs[s].subarray(start, end), s * CHUNK);
    setLength(length);
    if (kernel() !== 0) {
      scalar(start, end);
      continue;
    }
    for (const s of outputs) inputs[s].set(view(rt, s, length), start);
  }
  if (lanes < n) scalar(lanes, n);
}

/** One float32 SGD step of one parameter (`buf` null without momentum; `first` seeds it). */
export function sgdStepFloat32(p: Float32Array, g: Gradient, buf: Float32Array | null, a: SgdFloat32Args, first: boolean): void {
  const rt = first || !copyable(g) ? null : simdRuntime();
  if (!rt || !copyable(g) || p.length < 4) {
    sgdFloat32(p, g, buf, a, first, 0, p.length);
    return;
  }
  const shape: SgdShape = { maximize: a.sign < 0, decay: a.decay !== 0, momentum: buf !== null, nesterov: a.nesterov, keepOne: a.keep === 1 };
  const run = kernelFor(rt, `sgd${+shape.maximize}${+shape.decay}${+shape.momentum}${+shape.nesterov}${+shape.keepOne}`, () => sgdKernel(shape));
  let length = 0;
  chunked(
    rt,
    p.length,
    buf ? [p, g, buf] : [p, g],
    buf ? [0, 2] : [0],
    () => run(length, a.decay, a.momentum, a.keep, a.negLr),
    (l) => (length = l),
    (from, to) => sgdFloat32(p, g, buf, a, false, from, to),
  );
}

/** One float32 Adam/AdamW step of one parameter (`vMax` for AMSGrad, else null). */
export function adamStepFloat32(p: Float32Array, g: Gradient, m: Float32Array, v: Float32Array, vMax: Float32Array | null, a: AdamFloat32Args): void {
  const rt = copyable(g) ? simdRuntime() : null;
  if (!rt || !copyable(g) || p.length < 4) {
    adamFloat32(p, g, m, v, vMax, a, 0, p.length);
    return;
  }
  const shape: AdamShape = { maximize: a.sign < 0, decay: a.decay !== 0, shrink: a.shrink !== 1, amsgrad: vMax !== null };
  const run = kernelFor(rt, `adam${+shape.maximize}${+shape.decay}${+shape.shrink}${+shape.amsgrad}`, () => adamKernel(shape));
  let length = 0;
  chunked(
    rt,
    p.length,
    vMax ? [p, g, m, v, vMax] : [p, g, m, v],
    vMax ? [0, 2, 3, 4] : [0, 2, 3],
    () => run(length, a.decay, a.shrink, a.beta1, a.keep1, a.beta2, a.keep2, a.bc2Sqrt, a.eps, a.negStepSize),
    (l) => (length = l),
    (from, to) => adamFloat32(p, g, m, v, vMax, a, from, to),
  );
}
