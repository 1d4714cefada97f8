/**
 * The TypeScript client against a real `adapt serve` (see server.ts): datasets created, waited for and listed
 * page by page; a file transcribed; a file streamed at real-time pace with finals; typed errors (NOT_FOUND
 * for an unknown model, unary and streaming; UNAUTHENTICATED without the API key); mutual TLS through a TLS
 * terminator; deployments and models. Audio: ../shared/realspeech/asr (real speech, reference transcripts).
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";

import {
  AdaptClient, AdaptError, Code, InvalidArgumentError, NotFoundError, State, UnauthenticatedError,
  WaitTimeoutError, paced, pcm16FromWav,
} from "../src/index.js";
import { type TestServer, testServer } from "./server.js";
import { makePki, startTlsProxy } from "./tls-proxy.js";

interface ManifestItem { id: string; text: string; duration: number }

const TRANSCRIBED = "sb_spk1_snt1";      // 2.9 s, "THE CHILD ALMOST HURT THE SMALL DOG"
const STREAMED = "ps_librivox_0890";     // 5.3 s of read speech
const DATASET_ITEMS = ["sr_english", "ps_goforward"];

function words(text: string): string[] {
  return text.toLowerCase().replace(/[^a-z0-9' ]+/g, " ").split(/\s+/).filter(Boolean);
}

/** Word error rate by edit distance over normalized words. */
function wer(reference: string, hypothesis: string): number {
  const ref = words(reference), hyp = words(hypothesis);
  let row = Array.from({ length: hyp.length + 1 }, (_, j) => j);
  for (let i = 1; i <= ref.length; i += 1) {
    const next = [i];
    for (let j = 1; j <= hyp.length; j += 1) {
      next.push(Math.min(row[j]! + 1, next[j - 1]! + 1, row[j - 1]! + (ref[i - 1] === hyp[j - 1] ? 0 : 1)));
    }
    row = next;
  }
  return row[hyp.length]! / Math.max(1, ref.length);
}

describe("AdaptClient against adapt serve", () => {
  let server: TestServer;
  let client: AdaptClient;
  let manifest: Map<string, ManifestItem>;

  before(async () => {
    server = await testServer();
    client = new AdaptClient({ target: server.target, apiKey: server.apiKey });
    const lines = readFileSync(join(server.audioDir, "manifest.jsonl"), "utf8").split("\n").filter(Boolean);
    manifest = new Map(lines.map((line) => JSON.parse(line) as ManifestItem).map((item) => [item.id, item]));
  });

  after(async () => {
    client?.close();
    await server?.stop();
  });

  test("datasets: create, wait, get, and list page by page", async () => {
    const folder = join(server.sourceDir, `ts-${randomUUID()}`);
    mkdirSync(folder, { recursive: true });
    for (const id of DATASET_ITEMS) {
      copyFileSync(join(server.audioDir, `${id}.wav`), join(folder, `${id}.wav`));
      writeFileSync(join(folder, `${id}.txt`), `${manifest.get(id)!.text}\n`);
    }
    const created = await Promise.all(["ts-calls-a", "ts-calls-b"].map((name) =>
      client.datasets.create({ name, sources: [{ type: "local", uri: folder, recursive: false }], labels: { by: "ts" } })));
    await assert.rejects(client.datasets.wait(created[0]!.id, { timeoutMs: 1 }), WaitTimeoutError);
    for (const dataset of created) {
      assert.ok([State.PENDING, State.RUNNING, State.SUCCEEDED].includes(dataset.state));
      const events: string[] = [];
      const done = await client.datasets.wait(dataset.id, { timeoutMs: 300_000, onEvent: (e) => events.push(e.message) });
      assert.equal(done.state, State.SUCCEEDED);
      assert.equal(done.stats?.recordings, 2n);
      assert.equal(done.stats?.transcribedRecordings, 2n);
      assert.ok(events.length > 0, "wait() saw the progress events");
      assert.equal(done.sources[0]?.options?.["recursive"], false, "source options travel as a Struct");
      assert.equal((await client.datasets.get(dataset.id)).labels["by"], "ts");
    }
    const recordings = await client.datasets.recordings(created[0]!.id);
    assert.deepEqual(recordings.map((r) => r.sourceUri.split("/").pop()).sort(), DATASET_ITEMS.map((i) => `${i}.wav`).sort());

    const pages: string[][] = [];
    let token = "";
    do {
      const page = await client.datasets.listPage({ pageSize: 1, pageToken: token });
      assert.ok(page.items.length <= 1);
      pages.push(page.items.map((d) => d.id));
      token = page.nextPageToken;
    } while (token);
    const paged = pages.flat();
    assert.ok(pages.length >= 2, `two datasets need two pages of one, got ${pages.length}`);
    assert.equal(new Set(paged).size, paged.length, "no dataset on two pages");
    for (const dataset of created) assert.ok(paged.includes(dataset.id));
    const iterated: string[] = [];
    for await (const dataset of client.datasets.list({ pageSize: 1 })) iterated.push(dataset.id);
    assert.deepEqual(iterated, paged);
  });

  test("speech.transcribe: a file, with word times", async () => {
    const item = manifest.get(TRANSCRIBED)!;
    const result = await client.speech.transcribeFile(join(server.audioDir, `${TRANSCRIBED}.wav`));
    assert.equal(result.model, "whisper-tiny.en");
    assert.equal(wer(item.text, result.text), 0, `${result.text} vs ${item.text}`);
    const timed = result.segments.flatMap((s) => s.words);
    assert.equal(timed.length, words(item.text).length);
    for (const [a, b] of timed.slice(0, -1).map((w, i) => [w, timed[i + 1]!] as const)) assert.ok(a.start <= b.start);
    assert.ok(timed.every((w) => w.start >= 0 && w.end <= item.duration + 0.5 && w.confidence > 0));
    assert.ok(Math.abs(result.durationS - item.duration) < 0.05);
  });

  test("speech.stream: a file at real-time pace gives interim results and finals", async () => {
    const item = manifest.get(STREAMED)!;
    const audio = pcm16FromWav(readFileSync(join(server.audioDir, `${STREAMED}.wav`)));
    assert.equal(audio.sampleRateHz, 16000);
    const started = performance.now();
    const results = [];
    for await (const result of client.speech.stream(paced(audio, 0.1), { sampleRateHz: audio.sampleRateHz })) {
      results.push({ ...result, wallS: (performance.now() - started) / 1000 });
    }
    const finals = results.filter((r) => r.isFinal);
    assert.ok(finals.length >= 1, "at least one final");
    assert.ok(results.at(-1)!.wallS >= item.duration - 0.2, "the audio went at real-time pace");
    // interim results decoded from part of the audio (their wall time depends on the machine's load)
    assert.ok(results.some((r) => !r.isFinal && r.audioReceivedS < item.duration - 0.5), "interim results mid-stream");
    assert.deepEqual(finals.map((f) => f.utteranceIndex), finals.map((_, i) => i));
    const text = finals.map((f) => f.text).join(" ");
    assert.ok(wer(item.text, text) <= 0.2, `${text} vs ${item.text}`);
    const timed = finals.flatMap((f) => f.words);
    assert.ok(timed.length > 0 && timed.every((w) => w.end <= item.duration + 0.5));
  });

  test("an unknown model is a typed NOT_FOUND error, unary and streaming", async () => {
    const audio = readFileSync(join(server.audioDir, `${TRANSCRIBED}.wav`));
    await assert.rejects(client.speech.transcribe(audio, { model: "no-such-model" }), (error: unknown) => {
      assert.ok(error instanceof NotFoundError && error instanceof AdaptError);
      assert.equal(error.code, Code.NotFound);
      assert.equal(error.codeName, "NOT_FOUND");
      assert.match(error.rawMessage, /no-such-model/);
      return true;
    });
    const stream = client.speech.stream([pcm16FromWav(audio).pcm], { model: "no-such-model" });
    await assert.rejects((async () => { for await (const _ of stream) { /* drain */ } })(),
      (error: unknown) => error instanceof NotFoundError && error.code === Code.NotFound);
  });

  test("bad input is a typed INVALID_ARGUMENT error", async () => {
    await assert.rejects(client.speech.transcribe(new TextEncoder().encode("not audio at all")),
      (error: unknown) => error instanceof InvalidArgumentError && error.code === Code.InvalidArgument);
    await assert.rejects(client.fineTunes.create({ baseModel: "whisper-tiny.en", datasetId: "ds_nope" }),
      (error: unknown) => error instanceof NotFoundError);
    await assert.rejects(client.evaluations.create({ datasetId: "ds_nope", candidates: ["whisper-tiny.en"] }),
      (error: unknown) => error instanceof NotFoundError);
  });

  test("the API key travels as metadata; without it the server answers UNAUTHENTICATED", async () => {
    const anonymous = new AdaptClient({ target: server.target });
    try {
      await assert.rejects(anonymous.models.list().next(), (error: unknown) =>
        error instanceof UnauthenticatedError && error.code === Code.Unauthenticated);
    } finally {
      anonymous.close();
    }
  });

  test("models and deployments: a deployment routes speech to its model", async () => {
    const models = [];
    for await (const model of client.models.list({ pageSize: 1 })) models.push(model.id);
    assert.ok(models.includes("whisper-tiny.en"), models.join(","));
    const id = `ts-voice-${randomUUID().slice(0, 8)}`;
    const deployment = await client.deployments.update({ deploymentId: id, routes: { stt: "whisper-tiny.en" } });
    assert.equal(deployment.routes["stt"], "whisper-tiny.en");
    const listed = [];
    for await (const d of client.deployments.list()) listed.push(d.id);
    assert.ok(listed.includes(id));
    const audio = readFileSync(join(server.audioDir, `${TRANSCRIBED}.wav`));
    assert.equal((await client.speech.transcribe(audio, { deploymentId: id })).model, "whisper-tiny.en");
    const evaluations = [];
    for await (const e of client.evaluations.list()) evaluations.push(e);
    assert.ok(Array.isArray(evaluations));
    assert.ok((await client.status()).workers >= 1);
  });

  test("mutual TLS: root certificates and a client certificate through a TLS terminator", async (t) => {
    if (!existsSync("/usr/bin/openssl") && !process.env.PATH?.split(":").some((d) => existsSync(join(d, "openssl")))) {
      t.skip("openssl is not installed (it makes the test certificates)");
      return;
    }
    const pki = makePki();
    const proxy = await startTlsProxy(server.target, pki);
    const tls = { rootCerts: pki.caPem, certChain: pki.clientCertPem, privateKey: pki.clientKeyPem };
    const secure = new AdaptClient({ target: proxy.target, apiKey: server.apiKey, tls });
    const noClientCert = new AdaptClient({ target: proxy.target, apiKey: server.apiKey, tls: { rootCerts: pki.caPem }, timeoutMs: 5000 });
    const wrongRoots = new AdaptClient({ target: proxy.target, apiKey: server.apiKey, tls: { ...tls, rootCerts: pki.clientCertPem }, timeoutMs: 5000 });
    try {
      const audio = readFileSync(join(server.audioDir, `${TRANSCRIBED}.wav`));
      assert.equal(wer(manifest.get(TRANSCRIBED)!.text, (await secure.speech.transcribe(audio)).text), 0);
      // the terminator refuses a client without a certificate; the client refuses a server its roots do not sign
      await assert.rejects(noClientCert.status(), (error: unknown) => error instanceof AdaptError && /certificate required/.test(error.rawMessage));
      await assert.rejects(wrongRoots.status(), (error: unknown) => error instanceof AdaptError && /certificate/.test(error.rawMessage));
    } finally {
      for (const c of [secure, noClientCert, wrongRoots]) c.close();
      proxy.close();
    }
  });
});
