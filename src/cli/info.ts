/**
 * What the CLI answers without linting (`--help`, `--version`): kept apart from the lint command so that these
 * runs load only the argument parser.
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { HELP, type CliOptions } from "./args.js";

/** This package's version, read from the package.json above this module. */
export function packageVersion(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const file = path.join(dir, "package.json");
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, "utf8")) as { name?: string; version?: string };
      if (pkg.name === "optim-lint") return pkg.version ?? "unknown";
    }
    const parent = path.dirname(dir);
    if (parent === dir) return "unknown";
    dir = parent;
  }
}

/** Prints the help or the version when the options ask for one and returns the exit code; undefined otherwise. */
export function answerInfo(options: Pick<CliOptions, "help" | "version">): number | undefined {
  if (options.help) {
    process.stdout.write(HELP);
    return 0;
  }
  if (options.version) {
    process.stdout.write(`${packageVersion()}\n`);
    return 0;
  }
  return undefined;
}
