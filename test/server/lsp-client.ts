/** A minimal LSP client for tests: spawns `optim-lint server --stdio` and speaks JSON-RPC to it. */
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { pathToFileURL } from "node:url";
import {
  createMessageConnection,
  StreamMessageReader,
  StreamMessageWriter,
  type Diagnostic,
  type MessageConnection,
  type PublishDiagnosticsParams,
} from "vscode-languageserver/node";

export const BIN = path.resolve(import.meta.dirname, "../../bin/optim-lint.cjs");

export interface TestClient {
  connection: MessageConnection;
  child: ChildProcess;
  /** Everything the server logged through window/logMessage. */
  logs: string[];
  /** The latest diagnostics pushed for each URI. */
  pushed: Map<string, PublishDiagnosticsParams>;
  /** Resolves with the next push for a URI that satisfies a test. */
  nextDiagnostics(uri: string, test?: (d: Diagnostic[]) => boolean): Promise<Diagnostic[]>;
  open(file: string, text: string, languageId?: string): string;
  close(): Promise<void>;
}

export function uriOf(file: string): string {
  return pathToFileURL(file).href;
}

/** Starts the server in a folder and initializes it with the given client capabilities. */
export async function startClient(root: string, capabilities: Record<string, unknown> = {}): Promise<TestClient> {
  const child = spawn(process.execPath, [BIN, "server", "--stdio"], { cwd: root, stdio: ["pipe", "pipe", "pipe"] });
  const connection = createMessageConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
  const logs: string[] = [];
  const pushed = new Map<string, PublishDiagnosticsParams>();
  const waiters: { uri: string; test: (d: Diagnostic[]) => boolean; resolve: (d: Diagnostic[]) => void }[] = [];
  child.stderr!.on("data", (chunk) => logs.push(String(chunk)));
  connection.onNotification("window/logMessage", (params: { message: string }) => {
    logs.push(params.message);
  });
  connection.onNotification("textDocument/publishDiagnostics", (params: PublishDiagnosticsParams) => {
    pushed.set(params.uri, params);
    for (const waiter of [...waiters]) {
      if (waiter.uri === params.uri && waiter.test(params.diagnostics)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(params.diagnostics);
      }
    }
  });
  connection.onRequest("client/registerCapability", () => null);
  connection.onRequest("workspace/diagnostic/refresh", () => null);
  connection.listen();
  await connection.sendRequest("initialize", {
    processId: process.pid,
    rootUri: uriOf(root),
    capabilities,
    initializationOptions: { debounceMs: 10 },
  });
  await connection.sendNotification("initialized", {});
  let version = 1;
  return {
    connection,
    child,
    logs,
    pushed,
    nextDiagnostics(uri, test = () => true) {
      return new Promise((resolve) => waiters.push({ uri, test, resolve }));
    },
    open(file, text, languageId = "python") {
      const uri = uriOf(file);
      void connection.sendNotification("textDocument/didOpen", { textDocument: { uri, languageId, version: version++, text } });
      return uri;
    },
    async close() {
      await connection.sendRequest("shutdown");
      await connection.sendNotification("exit");
      await new Promise((resolve) => (child.exitCode !== null ? resolve(null) : child.once("exit", resolve)));
      connection.dispose();
    },
  };
}
