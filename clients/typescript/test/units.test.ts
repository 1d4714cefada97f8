/** The client's pure parts, without a server: WAV parsing, real-time pacing, status names, option checks. */
import assert from "node:assert/strict";
import { test } from "node:test";

import { AdaptClient, Code, JobFailedError, codeName, paced, pcm16FromWav } from "../src/index.js";

function wav(samples: Int16Array, sampleRateHz: number, channels: number, extraChunk = false): Uint8Array {
  const data = new Uint8Array(samples.buffer);
  const extra = extraChunk ? 8 + 3 + 1 : 0;  // an odd-sized LIST chunk and its pad byte
  const out = new Uint8Array(44 + extra + data.byteLength);
  const view = new DataView(out.buffer);
  const ascii = (offset: number, text: string) => [...text].forEach((c, i) => view.setUint8(offset + i, c.charCodeAt(0)));
  ascii(0, "RIFF"); view.setUint32(4, out.byteLength - 8, true); ascii(8, "WAVE");
  ascii(12, "fmt "); view.setUint32(16, 16, true); view.setUint16(20, 1, true); view.setUint16(22, channels, true);
  view.setUint32(24, sampleRateHz, true); view.setUint32(28, sampleRateHz * 2 * channels, true);
  view.setUint16(32, 2 * channels, true); view.setUint16(34, 16, true);
  let offset = 36;
  if (extraChunk) {
    ascii(offset, "LIST"); view.setUint32(offset + 4, 3, true); offset += 12;
  }
  ascii(offset, "data"); view.setUint32(offset + 4, data.byteLength, true);
  out.set(data, offset + 8);
  return out;
}

test("pcm16FromWav reads rate, channels and samples past other chunks", () => {
  const samples = Int16Array.from({ length: 320 }, (_, i) => i - 160);
  const audio = pcm16FromWav(wav(samples, 8000, 2, true));
  assert.deepEqual([audio.sampleRateHz, audio.channels], [8000, 2]);
  assert.deepEqual(new Int16Array(audio.pcm.slice().buffer), samples);
  assert.throws(() => pcm16FromWav(new TextEncoder().encode("ID3 an mp3 file")), /not a RIFF\/WAVE/);
});

test("paced yields chunk-sized pieces at real-time pace", async () => {
  const audio = pcm16FromWav(wav(new Int16Array(16000 * 0.5), 16000, 1));  // 0.5 s
  const started = performance.now();
  const sizes = [];
  for await (const chunk of paced(audio, 0.1)) sizes.push(chunk.byteLength);
  const elapsedS = (performance.now() - started) / 1000;
  assert.deepEqual(sizes, [3200, 3200, 3200, 3200, 3200]);
  assert.ok(elapsedS >= 0.38 && elapsedS < 2, `${elapsedS} s for 0.5 s of audio in 0.1 s chunks`);
});

test("status names are the canonical gRPC ones", () => {
  assert.equal(codeName(Code.NotFound), "NOT_FOUND");
  assert.equal(codeName(Code.Canceled), "CANCELLED");
  assert.equal(new JobFailedError("ds_1", {}, "FAILED_PRECONDITION", "no audio").code, Code.FailedPrecondition);
});

test("bad client options fail at once with what to fix", () => {
  assert.throws(() => new AdaptClient({ target: "http://localhost:50051" }), /target must be "host:port"/);
  assert.throws(() => new AdaptClient({ target: "localhost:1", tls: { certChain: "x" } }), /go together/);
});
