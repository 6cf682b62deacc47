/**
 * The `optim-lint` executable: dispatches to `simulate`, `explain`, `rules`, `server` or the lint command and maps
 * failures to exit code 2 (usage and configuration errors as a message, internal errors with their stack).
 * `--help` and `--version` are answered here, before the linter is loaded.
 */
import { UsageError } from "../config/errors.js";
import { parseArgs } from "./args.js";
import { answerInfo } from "./info.js";
import { loadLintCommand } from "./lint-bundle.js";

/**
 * Stops quietly when the reader of stdout goes away (`optim-lint ... | head`). The handler is added when something
 * first asks for `process.stdout`: Node makes the stream then, loading its stream modules, which a run that prints
 * nothing (a clean pre-commit hook) never needs.
 */
function exitOnBrokenPipe(): void {
  const onError = (error: NodeJS.ErrnoException) => {
    if (error.code !== "EPIPE") throw error;
    process.exit(typeof process.exitCode === "number" ? process.exitCode : 0);
  };
  const handle = (stream: NodeJS.WriteStream) => {
    if (stream.listenerCount("error") === 0) stream.on("error", onError);
    return stream;
  };
  const lazy = Object.getOwnPropertyDescriptor(process, "stdout");
  if (!lazy?.get || !lazy.configurable) {
    handle(process.stdout);
    return;
  }
  Object.defineProperty(process, "stdout", {
    configurable: true,
    enumerable: lazy.enumerable,
    get() {
      // Node's own getter again from now on (it keeps the stream it made).
      Object.defineProperty(process, "stdout", lazy);
      return handle(lazy.get!.call(process) as NodeJS.WriteStream);
    },
  });
}

/** Entry point of the launcher: runs a subcommand or the lint command and returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  exitOnBrokenPipe();
  try {
    if (argv[0] === "simulate" || argv[0] === "explain") {
      // Loaded on demand: `simulate` and the optimizer core are a chunk of their own in the CLI bundle.
      const simulation = await import("../simulate/cli.js");
      return argv[0] === "simulate" ? await simulation.runSimulate(argv.slice(1)) : await simulation.runExplain(argv.slice(1));
    }
    if (argv[0] === "rules") return (await import("./rules-command.js")).runRules(argv.slice(1));
    if (argv[0] === "server") return await (await import("../server/index.js")).runServer(argv.slice(1));
    const options = parseArgs(argv);
    const answered = answerInfo(options);
    if (answered !== undefined) return answered;
    const lint = await loadLintCommand();
    const code = await lint.command.lintWith(options, process.cwd());
    lint.finish();
    return code;
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`optim-lint: ${error.message}\n`);
    } else {
      const err = error as Error;
      process.stderr.write(`optim-lint: internal error: ${err?.stack ?? String(error)}\n`);
    }
    return 2;
  }
}
