/**
 * The TypeScript client against Adapt's own TLS server (`adapt serve --tls-cert --tls-key --client-ca`), not a
 * terminator: mutual TLS with an API key of a project. tests/clients/test_tls.py starts that server and passes
 * ADAPT_TEST_TLS_TARGET, ADAPT_TEST_TLS_CA, ADAPT_TEST_TLS_CLIENT_CERT, ADAPT_TEST_TLS_CLIENT_KEY and
 * ADAPT_TEST_TLS_API_KEY; without them this file has nothing to test (the main suite's run leaves it out).
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";

import { AdaptClient, AdaptError, Code } from "../src/index.js";

const target = process.env.ADAPT_TEST_TLS_TARGET;

test("mutual TLS and a project's API key against adapt serve's own TLS port", { skip: !target }, async () => {
  const pem = (name: string) => readFileSync(process.env[name] ?? "");
  const tls = { rootCerts: pem("ADAPT_TEST_TLS_CA"), certChain: pem("ADAPT_TEST_TLS_CLIENT_CERT"),
                privateKey: pem("ADAPT_TEST_TLS_CLIENT_KEY") };
  const apiKey = process.env.ADAPT_TEST_TLS_API_KEY;
  const client = new AdaptClient({ target: target!, apiKey, tls });
  const noKey = new AdaptClient({ target: target!, tls, timeoutMs: 10000 });
  const noCert = new AdaptClient({ target: target!, apiKey, tls: { rootCerts: tls.rootCerts }, timeoutMs: 10000 });
  const plaintext = new AdaptClient({ target: target!, apiKey, timeoutMs: 10000 });
  try {
    const ids: string[] = [];
    for await (const m of client.models.list()) ids.push(m.id);
    assert.ok(ids.includes("whisper-tiny.en"), `models: ${ids}`);
    await assert.rejects(noKey.models.get("whisper-tiny.en"),
      (e: unknown) => e instanceof AdaptError && e.code === Code.Unauthenticated);
    await assert.rejects(client.status(),  // the key holds models:read only: the server names the missing scope
      (e: unknown) => e instanceof AdaptError && e.code === Code.PermissionDenied && /server:read/.test(e.rawMessage));
    await assert.rejects(noCert.models.get("whisper-tiny.en"), (e: unknown) => e instanceof AdaptError);
    await assert.rejects(plaintext.models.get("whisper-tiny.en"), (e: unknown) => e instanceof AdaptError);
  } finally {
    for (const c of [client, noKey, noCert, plaintext]) c.close();
  }
});
