/**
 * Float32 fast path: WebAssembly SIMD kernels (four float32 lanes) for SGD and Adam/AdamW on
 * Float32Array parameters, with exactly the arithmetic of ./float32.ts, which is torch's.
 *
 * Plain float32 lane operations (`f32x4.mul`, `add`, `div`, `sqrt`, `max`) round as torch's kernels do.
 * torch fuses its multiply-adds. The kernels come in two kinds:
 *   - "fused": relaxed SIMD's `f32x4.relaxed_madd`, which V8 compiles to the CPU's fused multiply-add where
 *     the CPU has one. A probe at start-up checks that it rounds once on this machine (else it is not used).
 *     Every lane is then exact, so these kernels update arrays that live in their memory in place.
 *   - "emulated", where relaxed SIMD or a fused multiply-add is missing: each multiply-add is done on two
 *     float64 lanes; the product of two float32 values is exact there, and the float64 sum rounded to
 *     float32 is the fused result unless that sum lies exactly halfway between two float32 values (or in
 *     float32's subnormal range). A kernel marks such lanes; the chunk they are in is then computed again by
 *     the scalar loops of ./float32.ts, which settle the halfway case exactly.
 * Either way the result is the same bits.
 *
 * WebAssembly cannot see a JavaScript array, so arrays outside the kernels' memory pass through scratch
 * slots there in chunks small enough to stay in the CPU cache. State buffers, and parameters or gradients
 * allocated with `allocFloat32`, live in that memory. The modules are assembled from instruction bytes
 * below, one per option combination when first needed (no compiler at build or install time). Where
 * WebAssembly SIMD is missing the scalar loops run.
 */
import { adamFloat32, fma32, sgdFloat32, type AdamFloat32Args, type SgdFloat32Args } from "./float32.js";
import type { Gradient } from "./optimizer.js";

/** Copies of the four-lane body per loop iteration, and the elements they take. */
const UNROLL = 4;
const LANES = 4 * UNROLL;
/** Float32 elements per array in one chunk (a multiple of LANES). */
const CHUNK = 16384;
/** Element offsets of the scratch arrays: parameter, gradient, then up to three state buffers. */
const SLOTS = 5;
const SCRATCH_PAGES = Math.ceil((SLOTS * CHUNK * 4) / 65536);
const [P, G, A, B, C] = [0, 1, 2, 3, 4].map((slot) => slot * CHUNK * 4);
/** Byte address of scratch slot k: 0 the parameter, 1 the gradient, 2.. the state buffers. */
const slotAddress = (k: number): number => k * CHUNK * 4;

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

/** Signed LEB128, as `i32.const` takes its operand. */
function s32(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    const done = (n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0);
    out.push(done ? byte : byte | 0x80);
    if (done) return out;
  }
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
  load64Zero: (offset: number) => [...simd(0x5d), 3, ...u32(offset)],
  shuffle: (lanes: number[]) => [...simd(0x0d), ...lanes],
  i32Splat: simd(0x11),
  f32Splat: simd(0x13),
  f64Splat: simd(0x14),
  i32Eq: simd(0x37),
  i32LtU: simd(0x3a),
  and: simd(0x4e),
  or: simd(0x50),
  anyTrue: simd(0x53),
  demote: simd(0x5e),
  promote: simd(0x5f),
  i32Sub: simd(0xb1),
  i32MinU: simd(0xb7),
  f32Neg: simd(0xe1),
  f32Sqrt: simd(0xe3),
  f32Add: simd(0xe4),
  f32Mul: simd(0xe6),
  f32Div: simd(0xe7),
  f32Max: simd(0xe9),
  f64Add: simd(0xf0),
  f64Mul: simd(0xf2),
  /** Relaxed SIMD: a * b + c, fused where the CPU can (the probe checks that it is). */
  f32Madd: simd(0x105),
};
/** Bytes 8..15 of a vector moved to 0..7: the high two float32 lanes where `promote` reads. */
const HIGH_LANES = [8, 9, 10, 11, 12, 13, 14, 15, 8, 9, 10, 11, 12, 13, 14, 15];
/** The low two float32 lanes of each of two vectors, side by side. */
const JOIN_LOW = [0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23];

/**
 * The integer masks of the rounding check (see `Kernel.fma`), passed to every kernel as arguments rather than
 * written as constants: V8 rebuilds a vector constant inside the loop at each use (three instructions), and
 * keeps an argument's splat in a register or reloads it from the stack (one).
 */
const MASKS = [0x1fffffff, 0x10000000, 0x7fffffff, 1];

/** The low 32-bit word of each float64 lane of two vectors, side by side. */
const LOW_WORDS = [0, 1, 2, 3, 8, 9, 10, 11, 16, 17, 18, 19, 24, 25, 26, 27];

function i32Lanes(value: number): Uint8Array {
  return new Uint8Array(new Int32Array([value, value, value, value]).buffer);
}

/** How a kernel does its multiply-adds (see the top of this file). */
/**
 * How a kernel does its multiply-adds (see the top of this file). "twice" is a multiply and an add, what
 * relaxed SIMD's multiply-add may be on a CPU without a fused one; only the probe's test builds it.
 */
type Fma = "fused" | "emulated" | "twice";

/**
 * One exported kernel: `(n, p, g, ...states: i32, ...scalars: f32, ...masks: i32) -> i32` over `n`
 * float32 elements (a multiple of LANES, the body emitted UNROLL times per iteration) at the byte addresses
 * given for the parameter, the gradient and each state buffer. An emulated kernel takes the parameter and
 * gradient from their scratch slots whatever the addresses say, keeps what it reads of state k in slot
 * k + 1 so that a flagged chunk can be restored, takes the masks of its rounding check, and returns 1 when
 * some multiply-add could not be rounded exactly. A fused kernel takes no masks and returns 0.
 */
class Kernel {
  readonly code: number[] = [];
  private v128s = 0;
  private readonly i: number;
  private readonly end: number;
  private readonly bad: number = -1;
  private readonly tiny: number = -1;
  private readonly splats32: number[] = [];
  private readonly splats64: number[] = [];
  private readonly lowBits: number = -1;
  private readonly midpoint: number = -1;
  private readonly magnitude: number = -1;
  private readonly one: number = -1;
  private readonly prologue: number[] = [];
  /** Byte offset of the unrolled copy of the body being emitted. */
  shift = 0;

  constructor(readonly states: number, readonly scalars: number, readonly kind: Fma) {
    const scalar0 = 3 + states;
    const masks = kind === "emulated" ? MASKS.length : 0;
    this.i = scalar0 + scalars + masks;
    this.end = this.i + 1;
    if (kind === "emulated") {
      this.bad = this.local();
      this.tiny = this.constant(i32Lanes(-1));
      [this.lowBits, this.midpoint, this.magnitude, this.one] = MASKS.map((_, k) => this.splatParameter(scalar0 + scalars + k));
    }
    for (let s = scalar0; s < scalar0 + scalars; s++) {
      const as32 = this.local();
      this.prologue.push(0x20, ...u32(s), ...OP.f32Splat, 0x21, ...u32(as32));
      this.splats32.push(as32);
      if (kind !== "emulated") continue;
      const as64 = this.local();
      this.prologue.push(0x20, ...u32(s), 0xbb, ...OP.f64Splat, 0x21, ...u32(as64)); // f64.promote_f32
      this.splats64.push(as64);
    }
  }

  /** The kernel's parameter types: n, the array addresses, the scalars, the masks. */
  params(): number[] {
    return [I32, I32, I32, ...Array<number>(this.states).fill(I32), ...Array<number>(this.scalars).fill(F32), ...(this.kind === "emulated" ? MASKS.map(() => I32) : [])];
  }

  private local(): number {
    return this.end + 1 + this.v128s++;
  }

  /** A local holding i32 parameter k in four lanes. */
  private splatParameter(k: number): number {
    const index = this.local();
    this.prologue.push(0x20, ...u32(k), ...OP.i32Splat, 0x21, ...u32(index));
    return index;
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

  /** Array k's address (0 the parameter, 1 the gradient, 2.. the state buffers) plus the loop's byte offset. */
  private address(k: number): number[] {
    return [...this.get(1 + k), ...this.get(this.i), 0x6a];
  }

  /** Four lanes of array k, read where it is first needed (see `widen`). Emulated kernels read the parameter and gradient from their slots. */
  private array(k: number): Value {
    if (this.kind === "emulated" && k < 2) return { at: this.get(this.i), offset: slotAddress(k) + this.shift };
    return { at: this.address(k), offset: this.shift };
  }

  param(): Value {
    return this.array(0);
  }

  grad(): Value {
    return this.array(1);
  }

  storeParam(value: Value): void {
    const [at, offset] = this.kind === "emulated" ? [this.get(this.i), P + this.shift] : [this.address(0), this.shift];
    this.code.push(...at, ...this.get(this.lanesOf(value)), ...OP.store(offset));
  }

  /** State buffer k's (1-based) lanes; an emulated kernel also keeps them in scratch slot k + 1, so a flagged chunk can be restored. */
  loadState(k: number): Value {
    const value = this.array(1 + k);
    if (this.kind !== "emulated") return value;
    const lanes = this.lanesOf(value);
    this.code.push(...this.get(this.i), ...this.get(lanes), ...OP.store(slotAddress(1 + k) + this.shift));
    return value;
  }

  storeState(k: number, value: Value): void {
    this.code.push(...this.address(1 + k), ...this.get(this.lanesOf(value)), ...OP.store(this.shift));
    value.at = this.address(1 + k);
    value.offset = this.shift;
  }

  /** Scalar parameter k (1-based) splatted to four float32 lanes (and, for emulated kernels, two float64 lanes). */
  scalar(k: number): Value {
    return { lanes: this.splats32[k - 1], pair: this.splats64[k - 1] };
  }

  /** The local holding a value's four lanes, read from memory at first use. */
  private lanesOf(value: Value): number {
    value.lanes ??= this.set([...value.at!, ...OP.load(value.offset!)]);
    return value.lanes;
  }

  /** A float32 lane operation on its operands. */
  op(code: number[], ...operands: Value[]): Value {
    return { lanes: this.set([...operands.flatMap((value) => this.get(this.lanesOf(value))), ...code]) };
  }

  /**
   * Float64 lanes of the low (half 0) or high (half 1) two float32 lanes; a scalar's are ready. A value
   * only ever widened is read two lanes at a time (V8 folds that read into the conversion).
   */
  private widen(value: Value, half: 0 | 1): number[] {
    if (value.pair !== undefined) return this.get(value.pair);
    if (half === 0 && value.lanes === undefined) return [...value.at!, ...OP.load64Zero(value.offset!), ...OP.promote];
    if (half === 0) return [...this.get(this.lanesOf(value)), ...OP.promote];
    // The high lanes of a value that is in memory are read from there: a load instead of a shuffle.
    if (value.at) return [...value.at, ...OP.load64Zero(value.offset! + 8), ...OP.promote];
    const lanes = this.lanesOf(value);
    return [...this.get(lanes), ...this.get(lanes), ...OP.shuffle(HIGH_LANES), ...OP.promote];
  }

  /** a * b + c rounded once, lane by lane; lanes an emulated kernel cannot settle set its flag. */
  fma(a: Value, b: Value, c: Value): Value {
    if (this.kind === "fused") return this.op(OP.f32Madd, a, b, c);
    if (this.kind === "twice") return this.op(OP.f32Add, this.op(OP.f32Mul, a, b), c);
    const sums = ([0, 1] as const).map((half) =>
      this.set([...this.widen(a, half), ...this.widen(b, half), ...OP.f64Mul, ...this.widen(c, half), ...OP.f64Add]),
    );
    const result = this.set([...this.get(sums[0]), ...OP.demote, ...this.get(sums[1]), ...OP.demote, ...OP.shuffle(JOIN_LOW)]);
    // Flag a float64 sum whose 29 bits below float32's precision read exactly one half (the low 32 bits
    // of the four sums side by side), and a nonzero result at or below float32's smallest normal value,
    // where float32 keeps fewer bits. Sums of magnitude 2^-150 or less are exact in float64 and round to
    // zero correctly. The second test runs on the result's bits: |bits| - 1 is below 2^23, unsigned,
    // exactly for those results (zero wraps around to the largest value), and the smallest such value
    // over the chunk is kept, one integer minimum per fused multiply-add instead of a float comparison
    // chain.
    this.code.push(
      ...this.get(this.bad),
      ...this.get(sums[0]), ...this.get(sums[1]), ...OP.shuffle(LOW_WORDS),
      ...this.get(this.lowBits), ...OP.and, ...this.get(this.midpoint), ...OP.i32Eq,
      ...OP.or,
      0x21, ...u32(this.bad),
      ...this.get(this.tiny),
      ...this.get(result), ...this.get(this.magnitude), ...OP.and, ...this.get(this.one), ...OP.i32Sub,
      ...OP.i32MinU,
      0x21, ...u32(this.tiny),
    );
    return { lanes: result };
  }

  /** The function body: prologue, the loop over 16-byte steps, the flag (emulated) or 0 (fused) as the result. */
  body(): number[] {
    const [i, end] = [this.i, this.end];
    const flag =
      this.kind !== "emulated"
        ? [0x41, 0]
        : [
            ...this.get(this.bad), ...OP.anyTrue,
            ...this.get(this.tiny), ...OP.const(i32Lanes(0x800000)), ...OP.i32LtU, ...OP.anyTrue,
            0x72, // i32.or
          ];
    const code = [
      ...this.get(0), 0x41, 2, 0x74, 0x21, ...u32(end), // end = n << 2
      ...this.prologue,
      0x02, 0x40, 0x03, 0x40, // block, loop
      ...this.get(i), ...this.get(end), 0x4f, 0x0d, 1, // i >= end (unsigned): leave
      ...this.code,
      ...this.get(i), 0x41, ...s32(16 * UNROLL), 0x6a, 0x21, ...u32(i), // i += 16 * UNROLL
      0x0c, 0, 0x0b, 0x0b, // continue; end loop; end block
      ...flag,
      0x0b,
    ];
    const bytes = [...vec([[2, I32], [this.v128s, V128]]), ...code];
    return [...u32(bytes.length), ...bytes];
  }
}

interface Value {
  /** Local holding four float32 lanes (not yet read, for a value in memory). */
  lanes?: number;
  /** Where the same lanes also are in memory: the address code and the immediate offset. */
  at?: number[];
  offset?: number;
  /** For a scalar of an emulated kernel: local holding it in two float64 lanes. */
  pair?: number;
}

/** A module exporting one kernel `run`, its memory imported as `env.memory`. */
function moduleBytes(kernel: Kernel): Uint8Array<ArrayBuffer> {
  const type = [0x60, ...vec(kernel.params().map((t) => [t])), ...vec([[I32]])];
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec([type])),
    ...section(2, vec([[...name("env"), ...name("memory"), 0x02, 0x00, ...u32(SCRATCH_PAGES)]])),
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
  /** The first step with momentum: the buffer is set to the gradient (with decay), not read. */
  first: boolean;
}

/** SGD, state (buf), scalars (decay, momentum, keep, negLr). */
function sgdKernel(shape: SgdShape, fma: Fma): Kernel {
  const k = new Kernel(shape.momentum ? 1 : 0, 4, fma);
  for (let copy = 0; copy < UNROLL; copy++) {
    k.shift = copy * 16;
    sgdBody(k, shape);
  }
  return k;
}

function sgdBody(k: Kernel, shape: SgdShape): void {
  const [decay, momentum, keep, negLr] = [1, 2, 3, 4].map((s) => k.scalar(s));
  const p = k.param();
  let d = k.grad();
  if (shape.maximize) d = k.op(OP.f32Neg, d);
  if (shape.decay) d = k.fma(p, decay, d);
  if (shape.momentum) {
    let buf = d;
    if (!shape.first) {
      const kept = k.op(OP.f32Mul, k.loadState(1), momentum);
      buf = shape.keepOne ? k.op(OP.f32Add, d, kept) : k.fma(d, keep, kept);
    }
    k.storeState(1, buf);
    d = shape.nesterov ? k.fma(buf, momentum, d) : buf;
  }
  k.storeParam(k.fma(d, negLr, p));
}

interface AdamShape {
  maximize: boolean;
  decay: boolean;
  shrink: boolean;
  amsgrad: boolean;
}

/** Adam, states (m, v, vMax), scalars (decay, shrink, beta1, keep1, beta2, keep2, bc2Sqrt, eps, negStepSize). */
function adamKernel(shape: AdamShape, fma: Fma): Kernel {
  const k = new Kernel(shape.amsgrad ? 3 : 2, 9, fma);
  for (let copy = 0; copy < UNROLL; copy++) {
    k.shift = copy * 16;
    adamBody(k, shape);
  }
  return k;
}

function adamBody(k: Kernel, shape: AdamShape): void {
  const [decay, shrink, beta1, keep1, beta2, keep2, bc2Sqrt, eps, negStepSize] = [1, 2, 3, 4, 5, 6, 7, 8, 9].map((s) => k.scalar(s));
  let p = k.param();
  if (shape.shrink) p = k.op(OP.f32Mul, p, shrink);
  let d = k.grad();
  if (shape.maximize) d = k.op(OP.f32Neg, d);
  if (shape.decay) d = k.fma(p, decay, d);
  const m = k.fma(d, keep1, k.op(OP.f32Mul, k.loadState(1), beta1));
  const v = k.fma(k.op(OP.f32Mul, keep2, d), d, k.op(OP.f32Mul, k.loadState(2), beta2));
  k.storeState(1, m);
  k.storeState(2, v);
  let second = v;
  if (shape.amsgrad) {
    second = k.op(OP.f32Max, k.loadState(3), v);
    k.storeState(3, second);
  }
  const denom = k.op(OP.f32Add, k.op(OP.f32Div, k.op(OP.f32Sqrt, second), bc2Sqrt), eps);
  k.storeParam(k.op(OP.f32Add, p, k.op(OP.f32Div, k.op(OP.f32Mul, negStepSize, m), denom)));
}

// ---- Memories, state buffers and the kernels as the optimizers call them. ----

type Run = (...args: number[]) => number;

/** The kernels a float32 step uses, from the fastest: see the top of this file. */
export type Float32Kernels = "fused" | "emulated" | "scalar";
const KINDS: Float32Kernels[] = ["scalar", "emulated", "fused"];

/**
 * A WebAssembly memory: the scratch slots first, then arrays handed out by `float32State` and
 * `allocFloat32`. Arrays living here are read and written by the kernels where they lie (fused kernels:
 * all of them; emulated kernels: the state buffers); the others go through the scratch slots.
 */
interface Arena {
  memory: WebAssembly.Memory;
  heap: Float32Array;
  /** Full-chunk views of the scratch slots. */
  slots: Float32Array[];
  /** Bytes handed out so far. */
  used: number;
  kernels: Map<string, Run>;
}

/** Arenas by their memory's buffer (the buffer of every array handed out). */
const arenaOf = new WeakMap<ArrayBuffer, Arena>();
/** Arrays go into arenas of at least this many bytes, so that few memories exist. */
const ARENA_BYTES = 256 * 1024 * 1024;
/** WebAssembly's 32-bit memories hold at most 65536 pages. */
const MAX_PAGES = 65536;
/** Smaller state stays in plain arrays: copying it costs less than the kernels save. */
const MIN_ARENA_ELEMENTS = 4096;

/** The best kernels this runtime has, found at first use, with the memory for the scratch slots. */
let detected: { kinds: Float32Kernels; scratch: Arena | null } | undefined;
let limit: Float32Kernels = "fused";
let arrayArena: Arena | null = null;

function newArena(pages: number): Arena {
  const memory = new WebAssembly.Memory({ initial: pages, maximum: pages });
  const heap = new Float32Array(memory.buffer);
  const slots = [P, G, A, B, C].map((offset) => heap.subarray(offset / 4, offset / 4 + CHUNK));
  const arena = { memory, heap, slots, used: SCRATCH_PAGES * 65536, kernels: new Map<string, Run>() };
  arenaOf.set(memory.buffer, arena);
  return arena;
}

/** The plain SGD kernel, the one the probes build. */
const PLAIN_SGD: SgdShape = { maximize: false, decay: false, momentum: false, nesterov: false, keepOne: true, first: false };

/**
 * How this runtime reaches relaxed SIMD, found at first use: "native" where a relaxed instruction validates
 * as is (Node 22 and later, whose V8 ships it, or a process started with the flag below); "scoped" where
 * V8 has it only behind `--experimental-wasm-relaxed-simd` (Node 20's V8 11.3, where it is complete);
 * "none" where neither works (then the emulated kernels run).
 */
type RelaxedSimd = "native" | "scoped" | "none";
let relaxedSimd: RelaxedSimd | undefined;

/** The smallest module with a relaxed instruction: `f32x4.relaxed_madd` on three zero vectors. */
function relaxedProbeBytes(): Uint8Array<ArrayBuffer> {
  const zero = OP.const(new Uint8Array(16));
  const body = [0x00, ...zero, ...zero, ...zero, ...OP.f32Madd, 0x1a, 0x0b]; // no locals; drop; end
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec([[0x60, 0, 0]])),
    ...section(3, vec([[0]])),
    ...section(10, vec([[...u32(body.length), ...body]])),
  ]);
}

/** Node's `v8.setFlagsFromString`, or null outside Node. */
function v8Flags(): ((flags: string) => void) | null {
  const process = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  try {
    const v8 = process?.getBuiltinModule?.("node:v8") as { setFlagsFromString?: (flags: string) => void } | undefined;
    return v8?.setFlagsFromString ?? null;
  } catch {
    return null;
  }
}

/**
 * Runs `compile` (which builds or validates a module with relaxed instructions) with relaxed SIMD on. Where
 * it is "scoped", the V8 flag is set for that call only and cleared after it, unless relaxed SIMD already
 * validates without it (someone else set the flag: theirs is left alone). V8 reads the flag when it decodes
 * a module, and a compiled module keeps the features it was compiled with, so the kernels run on after
 * the flag is cleared while every other module in the process is validated as if it had never been set.
 */
function withRelaxedSimd<T>(compile: () => T): T {
  const set = relaxedSimd === "native" ? null : v8Flags();
  if (!set || WebAssembly.validate(relaxedProbeBytes())) return compile();
  set("--experimental-wasm-relaxed-simd");
  try {
    return compile();
  } finally {
    set("--no-experimental-wasm-relaxed-simd");
  }
}

/**
 * A module with relaxed instructions. Worker threads share V8's flags: one clearing the flag while another
 * decodes makes that decoding fail, so a failed compile is tried again a few times.
 */
function compileRelaxed(bytes: Uint8Array<ArrayBuffer>): WebAssembly.Module {
  for (let attempt = 1; ; attempt++) {
    try {
      return withRelaxedSimd(() => new WebAssembly.Module(bytes));
    } catch (error) {
      if (relaxedSimd !== "scoped" || attempt === 5) throw error;
    }
  }
}

function findRelaxedSimd(): RelaxedSimd {
  const bytes = relaxedProbeBytes();
  if (WebAssembly.validate(bytes)) return "native";
  return withRelaxedSimd(() => WebAssembly.validate(bytes)) ? "scoped" : "none";
}

/**
 * Whether `f32x4.relaxed_madd` rounds once here: relaxed SIMD lets it round twice where the CPU has no
 * fused multiply-add. Runs the plain SGD kernel on lanes where rounding twice gives another result, and on
 * a subnormal lane, and compares with `fma32`. `kind` "twice" checks the probe itself (tests).
 */
export function probeRoundsOnce(kind: "fused" | "twice" = "fused"): boolean {
  detected ??= detect();
  return detected.scratch !== null && roundsOnce(detected.scratch, kind);
}

function roundsOnce(scratch: Arena, kind: "fused" | "twice"): boolean {
  relaxedSimd ??= findRelaxedSimd();
  if (relaxedSimd === "none" && kind === "fused") return false;
  const run = kernelFor(scratch, `probe${kind}`, () => sgdKernel(PLAIN_SGD, kind));
  // p = 1 + odd * 2^-23, g = -(1 + 2^-15), lr = 2^-24 (1 - 2^-15): p - lr * g = p + 2^-24 (1 - 2^-30) lies just
  // below the point halfway to p's upper neighbour, so rounded once it is p. Rounding the product first, or
  // the float64 sum, gives that halfway point, and the tie goes to the even neighbour above p.
  const negLr = Math.fround(-(2 ** -24) * (1 - 2 ** -15));
  const p = Float32Array.from({ length: LANES }, (_, j) => 1 + (2 * j + 1) * 2 ** -23);
  const g = new Float32Array(LANES).fill(-(1 + 2 ** -15));
  // A subnormal parameter and step: a runtime that flushed subnormal values to zero would lose them.
  p[LANES - 1] = 2 ** -127 + 2 ** -149;
  g[LANES - 1] = -(2 ** -110);
  scratch.heap.set(p, P / 4);
  scratch.heap.set(g, G / 4);
  run(LANES, P, G, 0, 0, 1, negLr);
  return p.every((pj, j) => Object.is(scratch.heap[P / 4 + j], fma32(g[j], negLr, pj)));
}

function detect(): { kinds: Float32Kernels; scratch: Arena | null } {
  if (typeof WebAssembly !== "object" || !WebAssembly.validate(moduleBytes(sgdKernel(PLAIN_SGD, "emulated")))) return { kinds: "scalar", scratch: null };
  const scratch = newArena(SCRATCH_PAGES);
  return { kinds: roundsOnce(scratch, "fused") ? "fused" : "emulated", scratch };
}

function kernelFor(arena: Arena, key: string, build: () => Kernel): Run {
  let run = arena.kernels.get(key);
  if (!run) {
    let module = modules.get(key);
    if (!module) {
      const kernel = build();
      const bytes = moduleBytes(kernel);
      module = kernel.kind === "fused" ? compileRelaxed(bytes) : new WebAssembly.Module(bytes);
      modules.set(key, module);
    }
    run = new WebAssembly.Instance(module, { env: { memory: arena.memory } }).exports.run as Run;
    arena.kernels.set(key, run);
  }
  return run;
}

const modules = new Map<string, WebAssembly.Module>();

/**
 * Limits float32 steps to `kinds` or plainer kernels ("fused" allows the best there is). Tests use it to
 * compare the kinds with each other.
 */
export function setFloat32Kernels(kinds: Float32Kernels): void {
  limit = kinds;
}

/** The kernels float32 steps use: the best this runtime has, within the limit `setFloat32Kernels` set. */
export function float32Kernels(): Float32Kernels {
  detected ??= detect();
  return KINDS[Math.min(KINDS.indexOf(limit), KINDS.indexOf(detected.kinds))];
}

/** `count` zeroed float32 arrays of `n` elements in one kernel memory, or null when kernels are off or there is no room. */
function arenaArrays(n: number, count: number): Float32Array[] | null {
  if (float32Kernels() === "scalar") return null;
  const bytes = Math.ceil((n * 4) / 16) * 16;
  try {
    if (!arrayArena || arrayArena.used + count * bytes > arrayArena.heap.byteLength) {
      const pages = Math.ceil(Math.max(ARENA_BYTES, SCRATCH_PAGES * 65536 + count * bytes) / 65536);
      arrayArena = pages <= MAX_PAGES ? newArena(pages) : null;
    }
  } catch {
    // No room for another memory: plain arrays, copied through the scratch slots.
    arrayArena = null;
  }
  const arena = arrayArena;
  if (!arena) return null;
  return Array.from({ length: count }, () => {
    const view = new Float32Array(arena.memory.buffer, arena.used, n);
    arena.used += bytes;
    return view;
  });
}

/**
 * `count` zeroed float32 state buffers of `n` elements for one parameter: in a kernel memory when the
 * kernels can use them there, else plain arrays. All of one call share one memory.
 */
export function float32State(n: number, count: number): Float32Array[] {
  return (n >= MIN_ARENA_ELEMENTS ? arenaArrays(n, count) : null) ?? Array.from({ length: count }, () => new Float32Array(n));
}

/**
 * A zeroed `Float32Array` of `length` elements in the float32 kernels' WebAssembly memory, where available
 * (else an ordinary one). Parameters and gradients allocated here are updated in place by SGD and
 * Adam/AdamW, as torch's kernels update its tensors, instead of being copied through a scratch memory at
 * every step (which, for plain SGD, costs more than the update). The memory is freed when no array in it
 * is referenced any more.
 */
export function allocFloat32(length: number): Float32Array {
  return arenaArrays(length, 1)?.[0] ?? new Float32Array(length);
}

/** A typed array the scratch memory can copy from (converting to float32 as it goes). */
function copyable(g: Gradient): g is Float32Array | Float64Array {
  return g instanceof Float32Array || g instanceof Float64Array;
}

/** The arena all state buffers live in, when they share one; else null. */
function homeOf(states: Float32Array[]): Arena | null {
  const arena = states.length > 0 ? arenaOf.get(states[0].buffer as ArrayBuffer) : undefined;
  return arena && states.every((state) => state.buffer === arena.memory.buffer) ? arena : null;
}

/** One kernel call's work: the arrays (state buffers last), the kernel, its scalars, and the scalar loop for what the kernels leave. */
interface Step {
  p: Float32Array;
  g: Gradient;
  states: Float32Array[];
  key: string;
  build: (fma: Fma) => Kernel;
  scalars: number[];
  scalar: (from: number, to: number) => void;
}

/** A step whose gradient the scratch memory can copy. */
type Copyable<S extends Step> = S & { g: Float32Array | Float64Array };

/**
 * Runs a fused kernel over the four-lane part of the arrays. Arrays in the kernel's memory are updated
 * where they lie; the others are copied through the scratch slots chunk by chunk (the parameter and state
 * buffers back again). The last `n % LANES` elements go to the scalar loop.
 */
function fusedStep({ p, g, states, key, build, scalars, scalar }: Copyable<Step>): void {
  const n = p.length;
  const lanes = n - (n % LANES);
  const arena = homeOf(states) ?? arenaOf.get(p.buffer as ArrayBuffer) ?? arenaOf.get(g.buffer as ArrayBuffer) ?? detected!.scratch!;
  const run = kernelFor(arena, `${key}fused`, () => build("fused"));
  const inside = (array: Float32Array | Float64Array) => array instanceof Float32Array && array.buffer === arena.memory.buffer;
  const pIn = inside(p);
  // A gradient overlapping the parameter elsewhere than element for element is read through its slot.
  const gIn = inside(g) && (g.byteOffset === p.byteOffset || !overlap(g, p));
  const statesIn = states.map(inside);
  const args = [0, P, G, ...states.map((_, s) => slotAddress(2 + s)), ...scalars];
  const chunk = pIn && gIn && statesIn.every(Boolean) ? lanes : CHUNK;
  for (let start = 0; start < lanes; start += chunk) {
    const end = Math.min(start + chunk, lanes);
    const length = end - start;
    args[0] = length;
    if (pIn) args[1] = p.byteOffset + start * 4;
    else arena.heap.set(p.subarray(start, end), P / 4);
    if (gIn) args[2] = g.byteOffset + start * 4;
    else arena.heap.set(g.subarray(start, end), G / 4);
    for (let s = 0; s < states.length; s++) {
      if (statesIn[s]) args[3 + s] = states[s].byteOffset + start * 4;
      else arena.heap.set(states[s].subarray(start, end), slotAddress(2 + s) / 4);
    }
    run(...args);
    if (!pIn) p.set(length === CHUNK ? arena.slots[0] : arena.slots[0].subarray(0, length), start);
    for (let s = 0; s < states.length; s++) if (!statesIn[s]) states[s].set(arena.slots[2 + s].subarray(0, length), start);
  }
  if (lanes < n) scalar(lanes, n);
}

function overlap(a: Float32Array | Float64Array, b: Float32Array): boolean {
  return a.byteOffset < b.byteOffset + b.byteLength && b.byteOffset < a.byteOffset + a.byteLength;
}

/**
 * Runs an emulated kernel over the four-lane part of each chunk. The parameter and gradient are copied into
 * the scratch slots; state buffers are used where they lie (in `home`), or copied through slots 2, 3, 4
 * (without a home). The parameter and copied state go back unless the kernel flags the chunk, in which
 * case the scalar loop computes it from the untouched arrays. The last `n % LANES` elements always go to it.
 */
function emulatedStep({ p, g, states, key, build, scalars, scalar }: Copyable<Step>): void {
  const n = p.length;
  const home = homeOf(states);
  const arena = home ?? detected!.scratch!;
  const run = kernelFor(arena, `${key}emulated`, () => build("emulated"));
  const args = [0, P, G, ...states.map(() => 0), ...scalars, ...MASKS];
  const lanes = n - (n % LANES);
  for (let start = 0; start < lanes; start += CHUNK) {
    const end = Math.min(start + CHUNK, lanes);
    const length = end - start;
    arena.heap.set(p.subarray(start, end), P / 4);
    arena.heap.set(g.subarray(start, end), G / 4);
    args[0] = length;
    for (let s = 0; s < states.length; s++) {
      if (home) args[3 + s] = states[s].byteOffset + start * 4;
      else {
        arena.heap.set(states[s].subarray(start, end), slotAddress(2 + s) / 4);
        args[3 + s] = slotAddress(2 + s);
      }
    }
    if (run(...args) !== 0) {
      // State in place has changed: put back what the kernel read, kept in the slots.
      if (home) for (let s = 0; s < states.length; s++) states[s].set(arena.slots[2 + s].subarray(0, length), start);
      scalar(start, end);
      continue;
    }
    p.set(length === CHUNK ? arena.slots[0] : arena.slots[0].subarray(0, length), start);
    if (!home) for (let s = 0; s < states.length; s++) states[s].set(arena.slots[2 + s].subarray(0, length), start);
  }
  if (lanes < n) scalar(lanes, n);
}

/** Runs a step on the best kernels allowed, or the scalar loop alone where they cannot take it. */
function kernelStep(step: Step): void {
  const kinds = step.p.length < LANES || !copyable(step.g) ? "scalar" : float32Kernels();
  if (kinds === "fused") fusedStep(step as Copyable<Step>);
  else if (kinds === "emulated") emulatedStep(step as Copyable<Step>);
  else step.scalar(0, step.p.length);
}

/** One float32 SGD step of one parameter (`buf` null without momentum; `first` seeds it). */
export function sgdStepFloat32(p: Float32Array, g: Gradient, buf: Float32Array | null, a: SgdFloat32Args, first: boolean): void {
  const seed = first && buf !== null;
  const shape: SgdShape = { maximize: a.sign < 0, decay: a.decay !== 0, momentum: buf !== null, nesterov: a.nesterov, keepOne: a.keep === 1, first: seed };
  kernelStep({
    p,
    g,
    states: buf ? [buf] : [],
    key: `sgd${+shape.maximize}${+shape.decay}${+shape.momentum}${+shape.nesterov}${+shape.keepOne}${+shape.first}`,
    build: (fma) => sgdKernel(shape, fma),
    scalars: [a.decay, a.momentum, a.keep, a.negLr],
    // A handed-back chunk of the first step may leave other values in the buffer first; the loop sets all of it.
    scalar: (from, to) => sgdFloat32(p, g, buf, a, seed, from, to),
  });
}

/** One float32 Adam/AdamW step of one parameter (`vMax` for AMSGrad, else null). */
export function adamStepFloat32(p: Float32Array, g: Gradient, m: Float32Array, v: Float32Array, vMax: Float32Array | null, a: AdamFloat32Args): void {
  const shape: AdamShape = { maximize: a.sign < 0, decay: a.decay !== 0, shrink: a.shrink !== 1, amsgrad: vMax !== null };
  kernelStep({
    p,
    g,
    states: vMax ? [m, v, vMax] : [m, v],
    key: `adam${+shape.maximize}${+shape.decay}${+shape.shrink}${+shape.amsgrad}`,
    build: (fma) => adamKernel(shape, fma),
    scalars: [a.decay, a.shrink, a.beta1, a.keep1, a.beta2, a.keep2, a.bc2Sqrt, a.eps, a.negStepSize],
    scalar: (from, to) => adamFloat32(p, g, m, v, vMax, a, from, to),
  });
}
