/**
 * `optim-lint server`: a language server over stdio. Diagnostics are pushed after a short pause in typing,
 * or pulled when the client asks for them; code actions carry each fix and suggestion, "fix all" and a
 * per-line disable; hover shows the rule's documentation. Notebooks come through LSP 3.17 notebook sync,
 * their cells linted together (notebooks.ts). An edit re-publishes the open documents whose findings it can
 * change (workspace.ts). A failing request is logged and answered with an error, and the server carries on.
 */
import path from "node:path";
import { fileURLToPath } from "node:url";
import {
  CodeActionKind,
  createConnection,
  DidChangeWatchedFilesNotification,
  DocumentDiagnosticReportKind,
  ErrorCodes,
  NotebookDocuments,
  ProposedFeatures,
  ResponseError,
  TextDocuments,
  TextDocumentSyncKind,
  type CodeAction,
  type Connection,
  type Diagnostic,
  type InitializeParams,
  type InitializeResult,
  type NotebookDocument,
} from "vscode-languageserver/node";
import { TextDocument } from "vscode-languageserver-textdocument";
import { adapterFor } from "../default-linter.js";
import { configErrorDiagnostic, fixAllAction, FIX_ALL_KIND, hoverAt, kindWanted, quickFixes, toDiagnostics } from "./convert.js";
import { cellDiagnostics, cellHover, cellQuickFixes, NOTEBOOK_SELECTOR, notebookPath, notebookText, type NotebookText } from "./notebooks.js";
import { documentPath, isConfigFile, WorkspaceLinter, type LintOutcome } from "./workspace.js";

const USAGE = `Usage: optim-lint server [--stdio]

Runs the optim-lint language server on stdin and stdout (the LSP transport editors start it with).`;

/** How long a document must stay unchanged before it is linted and its diagnostics pushed. */
const DEFAULT_DEBOUNCE_MS = 150;

/** Options a client may pass in `initializationOptions`. */
interface ServerOptions {
  debounceMs?: number;
}

/** Runs the server on stdio until the client says exit (the connection ends the process). */
export async function runServer(argv: string[]): Promise<number> {
  if (argv.includes("-h") || argv.includes("--help")) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const unknown = argv.find((arg) => arg !== "--stdio");
  if (unknown !== undefined) {
    process.stderr.write(`optim-lint: unknown option for server: ${unknown}\n\n${USAGE}\n`);
    return 2;
  }
  const connection = createConnection(ProposedFeatures.all, process.stdin, process.stdout);
  startServer(connection);
  connection.listen();
  return new Promise<number>(() => {
    // The connection exits the process on the client's `exit` notification or when stdin closes.
  });
}

/** Wires the language features onto a connection. */
export function startServer(connection: Connection): void {
  const documents = new TextDocuments(TextDocument);
  const notebooks = new NotebookDocuments(TextDocument);
  let linter = new WorkspaceLinter(process.cwd());
  let pull = false;
  let refreshSupport = false;
  let debounceMs = DEFAULT_DEBOUNCE_MS;
  const timers = new Map<string, NodeJS.Timeout>();

  const logError = (what: string, error: unknown) => {
    connection.console.error(`optim-lint: ${what} failed: ${(error as Error)?.stack ?? String(error)}`);
  };

  /** A request handler that logs a failure and answers it with an error instead of letting it escape. */
  function guarded<P, R>(what: string, handler: (params: P) => R): (params: P) => R {
    return (params: P) => {
      try {
        return handler(params);
      } catch (error) {
        logError(what, error);
        throw new ResponseError(ErrorCodes.InternalError, `optim-lint: ${what} failed: ${(error as Error)?.message ?? String(error)}`);
      }
    };
  }

  /** A notification handler that logs a failure and carries on. */
  function logged<P>(what: string, handler: (params: P) => void): (params: P) => void {
    return (params: P) => {
      try {
        handler(params);
      } catch (error) {
        logError(what, error);
      }
    };
  }

  const pathOf = (document: TextDocument) => documentPath(document.uri, document.languageId, linter.root);
  /** Whether optim-lint has anything to say about a document (Python, or a notebook opened as JSON). */
  const lintable = (document: TextDocument) => document.languageId === "python" || adapterFor(pathOf(document)) !== undefined;

  function outcomeOf(document: TextDocument): LintOutcome {
    return linter.lint(document.uri, pathOf(document), document.getText());
  }

  function diagnosticsOf(document: TextDocument): Diagnostic[] {
    if (!lintable(document)) return [];
    const outcome = outcomeOf(document);
    return outcome.result ? toDiagnostics(outcome.result, document) : [configErrorDiagnostic(outcome.configError)];
  }

  /** The document version whose diagnostics were pushed last, so that opening a file pushes once. */
  const published = new Map<string, number>();

  function publish(document: TextDocument): void {
    if (pull) return;
    published.set(document.uri, document.version);
    void connection.sendDiagnostics({ uri: document.uri, version: document.version, diagnostics: diagnosticsOf(document) });
  }

  /**
   * Publishes a document's diagnostics, then those of the open documents whose findings it can change (a child
   * config that inherits from it, a base it causes findings in); in pull mode the client is asked to pull again.
   */
  function publishWithRelated(document: TextDocument): void {
    publish(document);
    const related = linter.relatedDocuments(pathOf(document));
    if (related.length === 0) return;
    if (pull) {
      if (refreshSupport) void connection.languages.diagnostics.refresh();
      return;
    }
    for (const other of related) {
      const current = documents.get(other.uri);
      if (current) publish(current);
    }
  }

  function schedule(document: TextDocument): void {
    clearTimeout(timers.get(document.uri));
    timers.set(
      document.uri,
      setTimeout(
        logged("linting", () => {
          timers.delete(document.uri);
          const current = documents.get(document.uri);
          if (current && published.get(current.uri) !== current.version) publishWithRelated(current);
        }),
        debounceMs,
      ),
    );
  }

  /** Reads the configuration again and refreshes every open document's diagnostics. */
  function reloadConfiguration(): void {
    linter.reloadConfiguration();
    if (pull) {
      if (refreshSupport) void connection.languages.diagnostics.refresh();
      return;
    }
    for (const document of documents.all()) publish(document);
  }

  /** A synced notebook put together and linted, with its lint outcome. */
  function notebookOutcome(notebook: NotebookDocument): { text: NotebookText; outcome: LintOutcome } {
    const text = notebookText(notebook, (uri) => notebooks.cellTextDocuments.get(uri));
    return { text, outcome: linter.lint(notebook.uri, notebookPath(notebook.uri, linter.root), text.json) };
  }

  /** The cell URIs whose diagnostics were pushed for each notebook, to clear the ones of removed cells. */
  const notebookCells = new Map<string, string[]>();

  function publishNotebook(notebook: NotebookDocument): void {
    if (pull) return;
    const { text, outcome } = notebookOutcome(notebook);
    const byCell = outcome.result ? cellDiagnostics(text, outcome.result) : new Map(text.cells.map((c, i) => [c.uri, i === 0 ? [configErrorDiagnostic(outcome.configError!)] : []]));
    for (const uri of notebookCells.get(notebook.uri) ?? []) if (!byCell.has(uri)) void connection.sendDiagnostics({ uri, diagnostics: [] });
    notebookCells.set(notebook.uri, [...byCell.keys()]);
    for (const [uri, diagnostics] of byCell) void connection.sendDiagnostics({ uri, diagnostics });
  }

  function scheduleNotebook(notebook: NotebookDocument): void {
    const key = `notebook:${notebook.uri}`;
    clearTimeout(timers.get(key));
    timers.set(
      key,
      setTimeout(
        logged("linting a notebook", () => {
          timers.delete(key);
          const current = notebooks.getNotebookDocument(notebook.uri);
          if (current) publishNotebook(current);
        }),
        debounceMs,
      ),
    );
  }

  /** The notebook a cell URI belongs to, with its outcome, or undefined for a URI that is no synced cell. */
  function cellContext(uri: string): { text: NotebookText; outcome: LintOutcome } | undefined {
    const notebook = notebooks.findNotebookDocumentForCell(uri);
    return notebook && notebookOutcome(notebook);
  }

  connection.onInitialize((params: InitializeParams): InitializeResult => {
    const root = params.workspaceFolders?.[0]?.uri ?? params.rootUri;
    if (root?.startsWith("file:")) linter = new WorkspaceLinter(fileURLToPath(root));
    linter.openDocuments = () => documents.all().filter(lintable).map((d) => ({ uri: d.uri, filePath: pathOf(d), text: d.getText() }));
    const options = (params.initializationOptions ?? {}) as ServerOptions;
    if (typeof options.debounceMs === "number" && options.debounceMs >= 0) debounceMs = options.debounceMs;
    pull = params.capabilities.textDocument?.diagnostic !== undefined;
    refreshSupport = params.capabilities.workspace?.diagnostics?.refreshSupport === true;
    const watchDynamically = params.capabilities.workspace?.didChangeWatchedFiles?.dynamicRegistration === true;
    connection.onInitialized(
      logged("registration", () => {
        if (!watchDynamically) return;
        void connection.client.register(DidChangeWatchedFilesNotification.type, {
          watchers: [{ globPattern: "**/pyproject.toml" }, { globPattern: "**/optim-lint.toml" }],
        });
      }),
    );
    return {
      capabilities: {
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental, save: { includeText: false } },
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix, FIX_ALL_KIND] },
        hoverProvider: true,
        notebookDocumentSync: { notebookSelector: NOTEBOOK_SELECTOR },
        ...(pull ? { diagnosticProvider: { interFileDependencies: false, workspaceDiagnostics: false } } : {}),
      },
      serverInfo: { name: "optim-lint" },
    };
  });

  notebooks.onDidOpen(
    logged("notebookDocument/didOpen", (notebook) => {
      linter.changed();
      publishNotebook(notebook);
    }),
  );
  notebooks.onDidChange(
    logged("notebookDocument/didChange", (event) => {
      linter.changed();
      scheduleNotebook(event.notebookDocument);
    }),
  );
  notebooks.onDidClose(
    logged("notebookDocument/didClose", (notebook) => {
      const key = `notebook:${notebook.uri}`;
      clearTimeout(timers.get(key));
      timers.delete(key);
      linter.forget(notebook.uri);
      linter.changed();
      if (!pull) for (const uri of notebookCells.get(notebook.uri) ?? []) void connection.sendDiagnostics({ uri, diagnostics: [] });
      notebookCells.delete(notebook.uri);
    }),
  );

  documents.onDidOpen(
    logged("didOpen", (event) => {
      linter.changed();
      publishWithRelated(event.document);
    }),
  );
  documents.onDidChangeContent(
    logged("didChange", (event) => {
      linter.changed();
      schedule(event.document);
    }),
  );
  documents.onDidSave(
    logged("didSave", () => {
      // A configuration edited outside the editor's watchers is picked up at the latest when any file is saved.
      reloadConfiguration();
    }),
  );
  documents.onDidClose(
    logged("didClose", (event) => {
      clearTimeout(timers.get(event.document.uri));
      timers.delete(event.document.uri);
      linter.forget(event.document.uri);
      linter.changed();
      published.delete(event.document.uri);
      if (!pull) void connection.sendDiagnostics({ uri: event.document.uri, diagnostics: [] });
      // The documents it was linted with lose the findings it caused there (or see its text on disk again).
      for (const other of linter.relatedDocuments(pathOf(event.document))) {
        const current = documents.get(other.uri);
        if (current) publish(current);
      }
    }),
  );

  connection.onDidChangeWatchedFiles(
    logged("didChangeWatchedFiles", (params) => {
      const files = params.changes.filter((change) => change.uri.startsWith("file:")).map((change) => fileURLToPath(change.uri));
      if (files.some(isConfigFile)) {
        reloadConfiguration();
        return;
      }
      // Another file changed on disk: the open documents that read it are linted again.
      linter.changed();
      for (const file of files) for (const other of linter.relatedDocuments(file)) {
        const current = documents.get(other.uri);
        if (current) publish(current);
      }
    }),
  );

  const documentOf = (uri: string): TextDocument => {
    const document = documents.get(uri);
    if (!document) throw new Error(`the document ${uri} is not open`);
    return document;
  };

  connection.languages.diagnostics.on(
    guarded("textDocument/diagnostic", (params) => {
      const cell = cellContext(params.textDocument.uri);
      if (cell) {
        const items = cell.outcome.result ? (cellDiagnostics(cell.text, cell.outcome.result).get(params.textDocument.uri) ?? []) : [];
        return { kind: DocumentDiagnosticReportKind.Full, items };
      }
      return { kind: DocumentDiagnosticReportKind.Full, items: diagnosticsOf(documentOf(params.textDocument.uri)) };
    }),
  );

  connection.onCodeAction(
    guarded("textDocument/codeAction", (params) => {
      const cell = cellContext(params.textDocument.uri);
      if (cell) {
        const wanted = kindWanted(CodeActionKind.QuickFix, params.context.only) && cell.outcome.result;
        return wanted ? cellQuickFixes(cell.text, cell.outcome.result!, params.textDocument.uri, params.range) : [];
      }
      const document = documentOf(params.textDocument.uri);
      if (!lintable(document)) return [];
      const only = params.context.only;
      const actions: CodeAction[] = [];
      const outcome = outcomeOf(document);
      if (!outcome.result) return actions;
      if (kindWanted(CodeActionKind.QuickFix, only)) {
        const notebook = path.extname(pathOf(document)).toLowerCase() === ".ipynb";
        actions.push(...quickFixes(outcome.result, document, params.context.diagnostics, params.range, notebook));
      }
      if (kindWanted(FIX_ALL_KIND, only) && (outcome.result.fixableErrorCount + outcome.result.fixableWarningCount > 0)) {
        const fixed = linter.fixAll(pathOf(document), document.getText());
        if (fixed !== undefined) actions.push(fixAllAction(document, fixed));
      }
      return actions;
    }),
  );

  connection.onHover(
    guarded("textDocument/hover", (params) => {
      const cell = cellContext(params.textDocument.uri);
      if (cell) return cell.outcome.result ? cellHover(cell.text, cell.outcome.result, params.textDocument.uri, params.position) : null;
      const document = documentOf(params.textDocument.uri);
      if (!lintable(document)) return null;
      const outcome = outcomeOf(document);
      return outcome.result ? hoverAt(outcome.result, document, params.position) : null;
    }),
  );

  documents.listen(connection);
  notebooks.listen(connection);
}
