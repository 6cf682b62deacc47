/**
 * Float32 fast path: WebAssembly SIMD kernels (four float32 lanes) for the hottest update loops, SGD with
 * momentum and Adam, used when a parameter, its gradient and its state are all Float32Arrays.
 *
 * Every operation rounds to float32, as torch's float32 kernels do, in the order of our float64 loops.
 * Float64Array parameters never come here: they keep the plain loops the golden trajectories check.
 *
 * WebAssembly cannot see a JavaScript array, so the arrays pass through the module's memory in chunks
 * small enough to stay in the CPU cache: each element still crosses main memory once per step.
 * The module is assembled from the instruction bytes below when first needed (no compiler at build or
 * install time); where WebAssembly SIMD is missing, `float32Kernels()` returns null and the loops run.
 */

/** Float32 elements per array in one chunk; four arrays of this size fill the scratch memory. */
const CHUNK = 8192;
const CHUNK_BYTES = CHUNK * 4;
const PAGES = Math.ceil((4 * CHUNK_BYTES) / 65536);
/** Byte offsets of the four scratch arrays: parameter, gradient, first buffer, second buffer. */
const P = 0;
const G = CHUNK_BYTES;
const A = 2 * CHUNK_BYTES;
const B = 3 * CHUNK_BYTES;

// ---- A minimal WebAssembly encoder: just what the two kernels use. ----

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

const get = (i: number): number[] => [0x20, ...u32(i)];
const set = (i: number): number[] => [0x21, ...u32(i)];
const i32Const = (n: number): number[] => [0x41, ...u32(n)]; // small non-negative values only
const simd = (op: number): number[] => [0xfd, ...u32(op)];
const load = (offset: number): number[] => [...simd(0x00), 4, ...u32(offset)];
const store = (offset: number): number[] => [...simd(0x0b), 4, ...u32(offset)];
const splat = simd(0x13);
const sqrt = simd(0xe3);
const add = simd(0xe4);
const sub = simd(0xe5);
const mul = simd(0xe6);
const div = simd(0xe7);

/**
 * A function body looping over `n` float32 lanes, four at a time. Parameter 0 is `n`; the float32
 * parameters 1..scalars are splatted into v128 locals (first at index `scalars + 3`); `extra` more
 * v128 locals follow them. `body(i)` emits one iteration at byte offset local `i`.
 */
function laneLoop(scalars: number, extra: number, body: (i: number) => number[]): number[] {
  const i = scalars + 1;
  const end = scalars + 2;
  const splats: number[] = [];
  for (let s = 1; s <= scalars; s++) splats.push(...get(s), ...splat, ...set(end + s));
  const code = [
    ...get(0), ...i32Const(2), 0x74, ...set(end), // end = n * 4 (bytes)
    ...splats,
    0x02, 0x40, 0x03, 0x40, // block, loop
    ...get(i), ...get(end), 0x4f, 0x0d, 1, // if i >= end: leave the block
    ...body(i),
    ...get(i), ...i32Const(16), 0x6a, ...set(i), // i += 16
    0x0c, 0, 0x0b, 0x0b, // continue the loop; end loop; end block
    0x0b, // end function
  ];
  const locals = vec([[2, I32], [scalars + extra, V128]]);
  const bytes = [...locals, ...code];
  return [...u32(bytes.length), ...bytes];
}

/**
 * sgd(n, momentum, keep, lr): buf = buf * momentum + keep * g; p = p - lr * buf.
 * Scratch: p at P, g at G, buf at A.
 */
function sgdBody(): number[] {
  const vMomentum = 6;
  const vKeep = 7;
  const vLr = 8;
  const b = 9;
  return laneLoop(3, 1, (i) => [
    ...get(i), ...load(A), ...get(vMomentum), ...mul,
    ...get(vKeep), ...get(i), ...load(G), ...mul, ...add, ...set(b),
    ...get(i), ...get(b), ...store(A),
    ...get(i), ...get(i), ...load(P), ...get(vLr), ...get(b), ...mul, ...sub, ...store(P),
  ]);
}

/**
 * adam(n, keep1, beta2, keep2, negStepSize, bc2Sqrt, eps, shrink, sign), for weights |keep1| < 0.5:
 *   d = g * sign; p = p * shrink; m = m + keep1 * (d - m); v = v * beta2 + keep2 * d * d;
 *   p = p + negStepSize * (m / (sqrt(v) / bc2Sqrt + eps)).
 * Scratch: p at P, g at G, m at A, v at B.
 */
function adamBody(): number[] {
  const [vKeep1, vBeta2, vKeep2, vNegStep, vBc2, vEps, vShrink, vSign] = [11, 12, 13, 14, 15, 16, 17, 18];
  const [d, m, v] = [19, 20, 21];
  return laneLoop(8, 3, (i) => [
    ...get(i), ...load(G), ...get(vSign), ...mul, ...set(d),
    ...get(i), ...load(A), ...set(m),
    ...get(m), ...get(vKeep1), ...get(d), ...get(m), ...sub, ...mul, ...add, ...set(m),
    ...get(i), ...load(B), ...get(vBeta2), ...mul, ...get(vKeep2), ...get(d), ...mul, ...get(d), ...mul, ...add, ...set(v),
    ...get(i), ...get(m), ...store(A),
    ...get(i), ...get(v), ...store(B),
    ...get(i),
    ...get(i), ...load(P), ...get(vShrink), ...mul,
    ...get(vNegStep), ...get(m), ...get(v), ...sqrt, ...get(vBc2), ...div, ...get(vEps), ...add, ...div, ...mul,
    ...add, ...store(P),
  ]);
}

function moduleBytes(): Uint8Array<ArrayBuffer> {
  const sgdType = [0x60, ...vec([[I32], [F32], [F32], [F32]]), 0];
  const adamType = [0x60, ...vec([[I32], ...Array.from({ length: 8 }, () => [F32])]), 0];
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec([sgdType, adamType])),
    ...section(3, vec([[0], [1]])),
    ...section(5, vec([[0x00, ...u32(PAGES)]])),
    ...section(7, vec([
      [...name("memory"), 0x02, 0],
      [...name("sgd"), 0x00, 0],
      [...name("adam"), 0x00, 1],
    ])),
    ...section(10, vec([sgdBody(), adamBody()])),
  ]);
}

// ---- The kernels as the optimizers call them. ----

/** Options of one Adam step as the kernel takes them (already folded: signs, bias corrections). */
export interface AdamKernelArgs {
  keep1: number;
  beta2: number;
  keep2: number;
  negStepSize: number;
  bc2Sqrt: number;
  eps: number;
  /** 1 - lr * weight_decay for decoupled decay, else 1 (an exact no-op in float32). */
  shrink: number;
  /** -1 to maximize, else 1. */
  sign: number;
}

export interface Float32Kernels {
  /** SGD's momentum update after the first step: buf = buf * momentum + keep * g; p -= lr * buf. */
  sgdMomentum(p: Float32Array, g: Float32Array, buf: Float32Array, momentum: number, keep: number, lr: number): void;
  /** One Adam update without AMSGrad or coupled decay; needs |keep1| < 0.5. */
  adam(p: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array, args: AdamKernelArgs): void;
}

interface Exports {
  memory: WebAssembly.Memory;
  sgd(n: number, momentum: number, keep: number, lr: number): void;
  adam(n: number, ...scalars: number[]): void;
}

let kernels: Float32Kernels | null | undefined;

/** The float32 kernels, or null where this runtime has no WebAssembly SIMD. */
export function float32Kernels(): Float32Kernels | null {
  if (kernels !== undefined) return kernels;
  kernels = null;
  const bytes = moduleBytes();
  if (typeof WebAssembly !== "object" || !WebAssembly.validate(bytes)) return kernels;
  const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes));
  const wasm = instance.exports as unknown as Exports;
  const heap = new Float32Array(wasm.memory.buffer);
  const [sp, sg, sa, sb] = [P, G, A, B].map((offset) => heap.subarray(offset / 4, offset / 4 + CHUNK));
  kernels = {
    sgdMomentum(p, g, buf, momentum, keep, lr) {
      for (let start = 0; start < p.length; start += CHUNK) {
        const end = Math.min(start + CHUNK, p.length);
        sp.set(p.subarray(start, end));
        sg.set(g.subarray(start, end));
        sa.set(buf.subarray(start, end));
        wasm.sgd(end - start, momentum, keep, lr);
        p.set(sp.subarray(0, end - start), start);
        buf.set(sa.subarray(0, end - start), start);
      }
    },
    adam(p, g, m, v, a) {
      for (let start = 0; start < p.length; start += CHUNK) {
        const end = Math.min(start + CHUNK, p.length);
        sp.set(p.subarray(start, end));
        sg.set(g.subarray(start, end));
        sa.set(m.subarray(start, end));
        sb.set(v.subarray(start, end));
        wasm.adam(end - start, a.keep1, a.beta2, a.keep2, a.negStepSize, a.bc2Sqrt, a.eps, a.shrink, a.sign);
        p.set(sp.subarray(0, end - start), start);
        m.set(sa.subarray(0, end - start), start);
        v.set(sb.subarray(0, end - start), start);
      }
    },
  };
  return kernels;
}
