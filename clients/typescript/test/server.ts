/**
 * The Adapt server the tests talk to. The pytest wrapper (tests/clients/test_typescript.py) starts one and
 * passes it in ADAPT_TEST_TARGET / ADAPT_TEST_API_KEY / ADAPT_TEST_SOURCE_DIR; without those, this starts
 * `adapt serve` itself (the `adapt` on PATH, or ADAPT_TEST_SERVE="/path/to/python -m adapt.cli") in a
 * temporary folder, so that `npm test` also runs alone.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, mkdirSync, openSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

import { AdaptClient } from "../src/index.js";

export interface TestServer {
  target: string;
  apiKey: string;
  /** A writable folder inside the server's --source-root (dataset sources go here). */
  sourceDir: string;
  /** ../shared/realspeech/asr: real speech with reference transcripts (manifest.jsonl). */
  audioDir: string;
  stop(): Promise<void>;
}

const HERE = fileURLToPath(new URL(".", import.meta.url));
const REPO = resolve(HERE, "..", "..", "..", "..");  // dist/test -> clients/typescript -> repo

function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once("error", fail);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => done(typeof address === "object" && address ? address.port : 0));
    });
  });
}

async function waitReady(target: string, apiKey: string, child: ChildProcess, logPath: string): Promise<void> {
  const client = new AdaptClient({ target, apiKey, timeoutMs: 2000 });
  try {
    for (const started = Date.now(); Date.now() - started < 90_000;) {
      if (child.exitCode !== null) throw new Error(`adapt serve exited (${child.exitCode}); log: ${logPath}`);
      try {
        await client.status();
        return;
      } catch {
        await new Promise((r) => setTimeout(r, 300));
      }
    }
    throw new Error(`adapt serve did not answer within 90 s; log: ${logPath}`);
  } finally {
    client.close();
  }
}

export async function testServer(): Promise<TestServer> {
  const audioDir = process.env.ADAPT_TEST_AUDIO_DIR ?? join(REPO, "..", "shared", "realspeech", "asr");
  const given = process.env.ADAPT_TEST_TARGET;
  if (given) {
    const sourceDir = process.env.ADAPT_TEST_SOURCE_DIR;
    if (!sourceDir) throw new Error("ADAPT_TEST_TARGET needs ADAPT_TEST_SOURCE_DIR (a folder in its --source-root)");
    return { target: given, apiKey: process.env.ADAPT_TEST_API_KEY ?? "", sourceDir, audioDir, stop: async () => {} };
  }
  const root = mkdtempSync(join(tmpdir(), "adapt-ts-"));
  const sourceDir = join(root, "sources");
  mkdirSync(sourceDir);
  const target = `127.0.0.1:${await freePort()}`;
  const apiKey = "ts-test-key";
  const [command, ...prefix] = (process.env.ADAPT_TEST_SERVE ?? "adapt").split(" ");
  const logPath = join(root, "server.log");
  const log = openSync(logPath, "a");
  const child = spawn(command!, [...prefix, "serve", "--data-dir", join(root, "data"), "--listen", target,
    "--source-root", sourceDir, "--workers", "1", "--api-key", apiKey], { stdio: ["ignore", log, log] });
  await waitReady(target, apiKey, child, logPath);
  return {
    target, apiKey, sourceDir, audioDir,
    stop: () => new Promise((done) => {
      child.once("exit", () => done());
      child.kill("SIGTERM");
    }),
  };
}
