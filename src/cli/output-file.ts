/**
 * Writing a report file: missing parent folders are created one level at a time, because Node's
 * recursive `mkdirSync` never returns on some paths (`/proc/nope/x.txt`); every failure is one line.
 */
import { mkdirSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";

/** Why a file cannot be written, as one line, or undefined after writing it. */
export function writeFileCreatingFolders(target: string, text: string): string | undefined {
  const missing: string[] = [];
  let dir = path.dirname(target);
  for (;;) {
    let isDir: boolean | undefined;
    try {
      isDir = statSync(dir).isDirectory();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") return `cannot use the folder ${dir}: ${(error as Error).message}`;
    }
    if (isDir === true) break;
    if (isDir === false) return `${dir} is not a folder`;
    const parent = path.dirname(dir);
    if (parent === dir) return `the folder ${dir} does not exist`;
    missing.unshift(dir);
    dir = parent;
  }
  try {
    for (const folder of missing) mkdirSync(folder);
    writeFileSync(target, text, "utf8");
  } catch (error) {
    return (error as Error).message;
  }
  return undefined;
}
