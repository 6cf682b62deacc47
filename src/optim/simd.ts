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

/** Copies of the four-lane body per loop iteration, and the elements they take. */
const UNROLL = 4;
const LANES = 4 * UNROLL;
/** Float32 elements per array in one chunk (a multiple of LANES). */
const CHUNK = 16384;
/** Element offsets of the scratch arrays: parameter, gradient, then up to three state buffers. */
const SLOTS = 5;
const SCRATCH_PAGES = Math.ceil((SLOTS * CHUNK * 4) / 65536);
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


/**
 * One exported kernel: `(n, ...states: i32, ...scalars: f32) -> i32` over `n` float32 elements (a
 * multiple of LANES, the body emitted UNROLL times per iteration): the parameter and gradient in the scratch slots, each state buffer at the byte
 * address passed for it (what it reads of state k is kept in slot A + k - 1). It returns 1 when some multiply-add could not be rounded exactly (see above).
 */
class Kernel {
  readonly code: number[] = [];
  private v128s = 0;
  private readonly i: number;
  private readonly end: number;
  private readonly bad: number;
  private readonly tiny: number;
  private readonly splats32: number[] = [];
  private readonly splats64: number[] = [];
  private readonly lowBits: number;
  private readonly midpoint: number;
  private readonly magnitude: number;
  private readonly one: number;
  private readonly prologue: number[] = [];
  /** Byte offset of the unrolled copy of the body being emitted. */
  shift = 0;

  constructor(readonly states: number, readonly scalars: number) {
    this.i = states + scalars + 1 + MASKS.length;
    this.end = this.i + 1;
    this.bad = this.local();
    this.tiny = this.constant(i32Lanes(-1));
    [this.lowBits, this.midpoint, this.magnitude, this.one] = MASKS.map((_, k) => this.splatParameter(states + scalars + 1 + k));
    for (let s = states + 1; s <= states + scalars; s++) {
      const as32 = this.local();
      const as64 = this.local();
      this.prologue.push(0x20, ...u32(s), ...OP.f32Splat, 0x21, ...u32(as32));
      this.prologue.push(0x20, ...u32(s), 0xbb, ...OP.f64Splat, 0x21, ...u32(as64)); // f64.promote_f32
      this.splats32.push(as32);
      this.splats64.push(as64);
    }
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

  /** The address of state buffer k (1-based) plus the loop's byte offset. */
  private address(k: number): number[] {
    return [...this.get(k), ...this.get(this.i), 0x6a];
  }

  /** State buffer k's lanes, also kept in scratch slot A + k - 1 so a flagged chunk can be restored. */
  loadState(k: number): Value {
    const lanes = this.set([...this.address(k), ...OP.load(this.shift)]);
    this.code.push(...this.get(this.i), ...this.get(lanes), ...OP.store(A + (k - 1) * CHUNK * 4 + this.shift));
    return { lanes, at: [...this.address(k)], offset: this.shift };
  }

  storeState(k: number, value: Value): void {
    this.code.push(...this.address(k), ...this.get(this.lanesOf(value)), ...OP.store(this.shift));
    value.at = [...this.address(k)];
    value.offset = this.shift;
  }

  /** Scalar parameter k (1-based) splatted to four float32 lanes. */
  scalar(k: number): Value {
    return { lanes: this.splats32[k - 1], pair: this.splats64[k - 1] };
  }

  /**
   * Four lanes of a scratch slot. They are read when first used as four float32 lanes: a value only ever
   * widened to float64 is read two lanes at a time instead (V8 folds that read into the conversion).
   */
  load(offset: number): Value {
    return { at: this.get(this.i), offset: offset + this.shift };
  }

  store(offset: number, value: Value): void {
    this.code.push(...this.get(this.i), ...this.get(this.lanesOf(value)), ...OP.store(offset + this.shift));
  }

  /** The local holding a value's four lanes, read from memory at first use. */
  private lanesOf(value: Value): number {
    value.lanes ??= this.set([...value.at!, ...OP.load(value.offset!)]);
    return value.lanes;
  }

  /** A float32 lane operation on one or two values. */
  op(code: number[], a: Value, b?: Value): Value {
    return { lanes: this.set([...this.get(this.lanesOf(a)), ...(b ? this.get(this.lanesOf(b)) : []), ...code]) };
  }

  /** Float64 lanes of the low (half 0) or high (half 1) two float32 lanes; a scalar's are ready. */
  private widen(value: Value, half: 0 | 1): number[] {
    if (value.pair !== undefined) return this.get(value.pair);
    if (half === 0 && value.lanes === undefined) return [...value.at!, ...OP.load64Zero(value.offset!), ...OP.promote];
    if (half === 0) return [...this.get(this.lanesOf(value)), ...OP.promote];
    // The high lanes of a value that is in memory are read from there: a load instead of a shuffle.
    if (value.at) return [...value.at, ...OP.load64Zero(value.offset! + 8), ...OP.promote];
    const lanes = this.lanesOf(value);
    return [...this.get(lanes), ...this.get(lanes), ...OP.shuffle(HIGH_LANES), ...OP.promote];
  }

  /** a * b + c rounded once, lane by lane; lanes it cannot settle set the kernel's flag. */
  fma(a: Value, b: Value, c: Value): Value {
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

  /** The function body: prologue, the loop over 16-byte steps, the flag as the result. */
  body(): number[] {
    const [i, end] = [this.i, this.end];
    const code = [
      ...this.get(0), 0x41, 2, 0x74, 0x21, ...u32(end), // end = n << 2
      ...this.prologue,
      0x02, 0x40, 0x03, 0x40, // block, loop
      ...this.get(i), ...this.get(end), 0x4f, 0x0d, 1, // i >= end (unsigned): leave
      ...this.code,
      ...this.get(i), 0x41, ...s32(16 * UNROLL), 0x6a, 0x21, ...u32(i), // i += 16 * UNROLL
      0x0c, 0, 0x0b, 0x0b, // continue; end loop; end block
      ...this.get(this.bad), ...OP.anyTrue,
      ...this.get(this.tiny), ...OP.const(i32Lanes(0x800000)), ...OP.i32LtU, ...OP.anyTrue,
      0x72, // i32.or
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
  /** For a scalar: local holding it in two float64 lanes. */
  pair?: number;
}

/** A module exporting one kernel `run`, its memory imported as `env.memory`. */
function moduleBytes(kernel: Kernel): Uint8Array<ArrayBuffer> {
  const params = [[I32], ...Array.from({ length: kernel.states }, () => [I32]), ...Array.from({ length: kernel.scalars }, () => [F32]), ...MASKS.map(() => [I32])];
  const type = [0x60, ...vec(params), ...vec([[I32]])];
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
function sgdKernel(shape: SgdShape): Kernel {
  const k = new Kernel(shape.momentum ? 1 : 0, 4);
  for (let copy = 0; copy < UNROLL; copy++) {
    k.shift = copy * 16;
    sgdBody(k, shape);
  }
  return k;
}

function sgdBody(k: Kernel, shape: SgdShape): void {
  const [decay, momentum, keep, negLr] = [1, 2, 3, 4].map((s) => k.scalar(s));
  const p = k.load(P);
  let d = k.load(G);
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
  k.store(P, k.fma(d, negLr, p));
}

interface AdamShape {
  maximize: boolean;
  decay: boolean;
  shrink: boolean;
  amsgrad: boolean;
}

/** Adam, states (m, v, vMax), scalars (decay, shrink, beta1, keep1, beta2, keep2, bc2Sqrt, eps, negStepSize). */
function adamKernel(shape: AdamShape): Kernel {
  const k = new Kernel(shape.amsgrad ? 3 : 2, 9);
  for (let copy = 0; copy < UNROLL; copy++) {
    k.shift = copy * 16;
    adamBody(k, shape);
  }
  return k;
}

function adamBody(k: Kernel, shape: AdamShape): void {
  const [decay, shrink, beta1, keep1, beta2, keep2, bc2Sqrt, eps, negStepSize] = [1, 2, 3, 4, 5, 6, 7, 8, 9].map((s) => k.scalar(s));
  let p = k.load(P);
  if (shape.shrink) p = k.op(OP.f32Mul, p, shrink);
  let d = k.load(G);
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
  k.store(P, k.op(OP.f32Add, p, k.op(OP.f32Div, k.op(OP.f32Mul, negStepSize, m), denom)));
}

// ---- Memories, state buffers and the kernels as the optimizers call them. ----

type Run = (...args: number[]) => number;

/**
 * A WebAssembly memory: the scratch slots first, then state buffers handed out by `float32State`.
 * State living here is read and written by the kernels where it lies, so only the parameter and its
 * gradient are copied each step; state elsewhere (a loaded state dict) goes through the scratch slots.
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

/** Arenas by their memory's buffer (the buffer of every state array handed out). */
const arenaOf = new WeakMap<ArrayBuffer, Arena>();
/** State buffers go into arenas of at least this many bytes, so that few memories exist. */
const ARENA_BYTES = 256 * 1024 * 1024;
/** WebAssembly's 32-bit memories hold at most 65536 pages. */
const MAX_PAGES = 65536;
/** Smaller state stays in plain arrays: copying it costs less than the kernels save. */
const MIN_ARENA_ELEMENTS = 4096;

let scratchArena: Arena | null | undefined;
let stateArena: Arena | null = null;
let enabled = true;

function newArena(pages: number): Arena {
  const memory = new WebAssembly.Memory({ initial: pages, maximum: pages });
  const heap = new Float32Array(memory.buffer);
  const slots = [P, G, A, B, C].map((offset) => heap.subarray(offset / 4, offset / 4 + CHUNK));
  const arena = { memory, heap, slots, used: SCRATCH_PAGES * 65536, kernels: new Map<string, Run>() };
  arenaOf.set(memory.buffer, arena);
  return arena;
}

/** Whether WebAssembly SIMD is there; the first call checks by validating a kernel. */
function simdSupported(): boolean {
  if (scratchArena !== undefined) return scratchArena !== null;
  scratchArena = null;
  const bytes = moduleBytes(sgdKernel({ maximize: false, decay: false, momentum: true, nesterov: false, keepOne: true, first: false }));
  if (typeof WebAssembly === "object" && WebAssembly.validate(bytes)) scratchArena = newArena(SCRATCH_PAGES);
  return scratchArena !== null;
}

function kernelFor(arena: Arena, key: string, build: () => Kernel): Run {
  let run = arena.kernels.get(key);
  if (!run) {
    let module = modules.get(key);
    if (!module) modules.set(key, (module = new WebAssembly.Module(moduleBytes(build()))));
    run = new WebAssembly.Instance(module, { env: { memory: arena.memory } }).exports.run as Run;
    arena.kernels.set(key, run);
  }
  return run;
}

const modules = new Map<string, WebAssembly.Module>();

/** Whether the kernels may run (tests switch them off to check the scalar loops alone). */
export function setFloat32Simd(on: boolean): void {
  enabled = on;
}

/** Whether WebAssembly SIMD kernels are available and switched on. */
export function float32SimdAvailable(): boolean {
  return enabled && simdSupported();
}

/**
 * `count` zeroed float32 state buffers of `n` elements for one parameter: in a WebAssembly memory when
 * the kernels can use them there, else plain arrays. All of one call share one memory.
 */
export function float32State(n: number, count: number): Float32Array[] {
  const bytes = Math.ceil((n * 4) / 16) * 16;
  if (n >= MIN_ARENA_ELEMENTS && float32SimdAvailable()) {
    try {
      if (!stateArena || stateArena.used + count * bytes > stateArena.heap.byteLength) {
        const pages = Math.ceil(Math.max(ARENA_BYTES, SCRATCH_PAGES * 65536 + count * bytes) / 65536);
        stateArena = pages <= MAX_PAGES ? newArena(pages) : null;
      }
      if (stateArena) {
        const arena = stateArena;
        return Array.from({ length: count }, () => {
          const view = new Float32Array(arena.memory.buffer, arena.used, n);
          arena.used += bytes;
          return view;
        });
      }
    } catch {
      // No room for another memory: plain arrays, copied through the scratch slots.
      stateArena = null;
    }
  }
  return Array.from({ length: count }, () => new Float32Array(n));
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

/**
 * Runs a kernel over the four-lane part of each chunk. The parameter and gradient are copied into the
 * scratch slots; state buffers are used where they lie (in `home`), or copied through slots A, B, C
 * (without a home). The parameter and copied state go back unless the kernel flags the chunk, in which
 * case `scalar` computes it from the untouched arrays. The last `n % LANES` elements always go to `scalar`.
 */
function chunked(
  p: Float32Array,
  g: Float32Array | Float64Array,
  states: Float32Array[],
  kernelKey: string,
  build: () => Kernel,
  scalars: number[],
  scalar: (from: number, to: number) => void,
): void {
  const n = p.length;
  const home = homeOf(states);
  const arena = home ?? scratchArena!;
  const run = kernelFor(arena, kernelKey, build);
  const args = [0, ...states.map(() => 0), ...scalars, ...MASKS];
  const lanes = n - (n % LANES);
  for (let start = 0; start < lanes; start += CHUNK) {
    const end = Math.min(start + CHUNK, lanes);
    const length = end - start;
    arena.heap.set(p.subarray(start, end), P / 4);
    arena.heap.set(g.subarray(start, end), G / 4);
    args[0] = length;
    for (let s = 0; s < states.length; s++) {
      if (home) args[1 + s] = states[s].byteOffset + start * 4;
      else {
        arena.heap.set(states[s].subarray(start, end), (A / 4) + s * CHUNK);
        args[1 + s] = A + s * CHUNK * 4;
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

/** One float32 SGD step of one parameter (`buf` null without momentum; `first` seeds it). */
export function sgdStepFloat32(p: Float32Array, g: Gradient, buf: Float32Array | null, a: SgdFloat32Args, first: boolean): void {
  if (!copyable(g) || p.length < LANES || !float32SimdAvailable()) {
    sgdFloat32(p, g, buf, a, first, 0, p.length);
    return;
  }
  const seed = first && buf !== null;
  const shape: SgdShape = { maximize: a.sign < 0, decay: a.decay !== 0, momentum: buf !== null, nesterov: a.nesterov, keepOne: a.keep === 1, first: seed };
  chunked(
    p,
    g,
    buf ? [buf] : [],
    `sgd${+shape.maximize}${+shape.decay}${+shape.momentum}${+shape.nesterov}${+shape.keepOne}${+shape.first}`,
    () => sgdKernel(shape),
    [a.decay, a.momentum, a.keep, a.negLr],
    // A handed-back chunk of the first step may leave other values in the buffer first; the loop sets all of it.
    (from, to) => sgdFloat32(p, g, buf, a, seed, from, to),
  );
}

/** One float32 Adam/AdamW step of one parameter (`vMax` for AMSGrad, else null). */
export function adamStepFloat32(p: Float32Array, g: Gradient, m: Float32Array, v: Float32Array, vMax: Float32Array | null, a: AdamFloat32Args): void {
  if (!copyable(g) || p.length < LANES || !float32SimdAvailable()) {
    adamFloat32(p, g, m, v, vMax, a, 0, p.length);
    return;
  }
  const shape: AdamShape = { maximize: a.sign < 0, decay: a.decay !== 0, shrink: a.shrink !== 1, amsgrad: vMax !== null };
  chunked(
    p,
    g,
    vMax ? [m, v, vMax] : [m, v],
    `adam${+shape.maximize}${+shape.decay}${+shape.shrink}${+shape.amsgrad}`,
    () => adamKernel(shape),
    [a.decay, a.shrink, a.beta1, a.keep1, a.beta2, a.keep2, a.bc2Sqrt, a.eps, a.negStepSize],
    (from, to) => adamFloat32(p, g, m, v, vMax, a, from, to),
  );
}
