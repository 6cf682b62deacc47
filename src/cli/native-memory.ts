/**
 * Keeps tree-sitter's native memory bounded while a run lints many files. A dropped parse tree is freed
 * by a finalizer that needs a garbage collection (which native allocations do not trigger) and then a
 * turn of the event loop; a folder of thousands of files would otherwise hold most of its trees at once.
 */
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

/** Characters of source parsed between two forced collections (about 120 MB of native trees at most). */
const CHARS_PER_COLLECTION = 1_500_000;
/** Files between two turns of the event loop, where trees that V8 collected on its own are freed. */
const FILES_PER_TURN = 25;

/** Characters of text read (and dropped) through a host between two forced collections. */
const READ_CHARS_PER_COLLECTION = 12_000_000;
let readSinceCollection = 0;

/**
 * Counts text read for the project pass and not kept (a file whose text the run dropped, read again for its imports
 * or code): V8 leaves such large strings to a full collection it starts late, so past the threshold one is forced.
 */
export function afterRead(chars: number): void {
  readSinceCollection += chars;
  if (readSinceCollection < READ_CHARS_PER_COLLECTION) return;
  readSinceCollection = 0;
  collect();
}

/** V8's full collection, made callable on first use (a new context costs start-up time); undefined if the runtime refuses. */
let gc: (() => void) | null | undefined;
export function collect(): void {
  if (gc === undefined) {
    try {
      setFlagsFromString("--expose-gc");
      gc = runInNewContext("gc") as () => void;
    } catch {
      gc = null;
    }
  }
  gc?.();
}

/** Counts parsed source and, past the threshold, collects garbage and yields so finalizers free the trees. */
export class NativeMemoryGuard {
  private parsed = 0;
  private files = 0;

  /** `charsPerCollection`: lower in worker threads, where several threads hold trees at once. */
  constructor(private readonly charsPerCollection = CHARS_PER_COLLECTION) {}

  async afterFile(chars: number): Promise<void> {
    this.parsed += chars;
    this.files++;
    if (this.parsed >= this.charsPerCollection) {
      this.parsed = 0;
      collect();
    } else if (this.files % FILES_PER_TURN !== 0) {
      return;
    }
    await new Promise((resolve) => setImmediate(resolve));
  }
}
