/**
 * The editor set-ups the README gives for Helix and Zed: neither editor can be installed here, so the snippets are
 * checked for the shape each editor reads (Helix's languages.toml, Zed's settings.json), and the command they name
 * is started with their arguments and must answer an LSP `initialize`.
 */
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { parse as parseToml } from "smol-toml";
import { describe, expect, it } from "vitest";
import { createMessageConnection, StreamMessageReader, StreamMessageWriter, type InitializeResult } from "vscode-languageserver/node";
import { BIN } from "./lsp-client.js";

const README = readFileSync(path.resolve(import.meta.dirname, "../../README.md"), "utf8");

/** The first fenced block of a language after a heading line that starts with `intro`. */
function blockAfter(intro: string, language: string): string {
  const at = README.indexOf(`\n${intro}`);
  expect(at, `README has a paragraph starting "${intro}"`).toBeGreaterThan(0);
  const open = README.indexOf("```" + language + "\n", at);
  return README.slice(open + language.length + 4, README.indexOf("\n```", open));
}

/** Starts the server as an editor would, with the README's command (our bin standing in for the installed name). */
async function initialize(command: string, args: string[]): Promise<InitializeResult> {
  expect(command).toBe("optim-lint");
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ["pipe", "pipe", "pipe"] });
  const connection = createMessageConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
  connection.listen();
  try {
    return await connection.sendRequest<InitializeResult>("initialize", { processId: process.pid, rootUri: null, capabilities: {} });
  } finally {
    await connection.sendRequest("shutdown");
    await connection.sendNotification("exit");
    await new Promise((resolve) => (child.exitCode !== null ? resolve(null) : child.once("exit", resolve)));
    connection.dispose();
  }
}

describe("README editor set-ups", () => {
  it("gives Helix a languages.toml that defines the server and adds it to Python", async () => {
    const config = parseToml(blockAfter("Helix (", "toml")) as {
      "language-server": Record<string, { command: string; args: string[] }>;
      language: { name: string; "language-servers": string[] }[];
    };
    const server = config["language-server"]["optim-lint"];
    expect(Object.keys(server).sort()).toEqual(["args", "command"]);
    const python = config.language.find((l) => l.name === "python")!;
    expect(python["language-servers"]).toContain("optim-lint");
    const result = await initialize(server.command, server.args);
    expect(result.serverInfo?.name).toBe("optim-lint");
    expect(result.capabilities.codeActionProvider).toBeTruthy();
  });

  it("gives Zed settings that name the binary and turn the server on for Python", async () => {
    const settings = JSON.parse(blockAfter("Zed (", "json")) as {
      languages: Record<string, { language_servers: string[] }>;
      lsp: Record<string, { binary: { path: string; arguments: string[] } }>;
    };
    expect(settings.languages.Python.language_servers).toContain("optim-lint");
    const { binary } = settings.lsp["optim-lint"];
    expect(Object.keys(binary).sort()).toEqual(["arguments", "path"]);
    const result = await initialize(binary.path, binary.arguments);
    expect(result.serverInfo?.name).toBe("optim-lint");
  });

  it("gives Neovim the same command", () => {
    expect(blockAfter("Neovim (", "lua")).toContain('cmd = { "optim-lint", "server" }');
  });
});
