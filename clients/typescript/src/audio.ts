/** Audio helpers for streaming: PCM16 out of a WAV file, and chunks of it at real-time pace. */
import { setTimeout as sleep } from "node:timers/promises";

export interface Pcm16 {
  /** Little-endian signed 16-bit samples, interleaved when channels > 1. */
  pcm: Uint8Array;
  sampleRateHz: number;
  channels: number;
}

/** The PCM16 samples of a RIFF/WAVE file (format 1, 16 bits); throws a TypeError for anything else. */
export function pcm16FromWav(wav: Uint8Array): Pcm16 {
  const view = new DataView(wav.buffer, wav.byteOffset, wav.byteLength);
  const text = (offset: number) => String.fromCharCode(...wav.subarray(offset, offset + 4));
  if (wav.byteLength < 12 || text(0) !== "RIFF" || text(8) !== "WAVE") {
    throw new TypeError("not a RIFF/WAVE file");
  }
  let format: { sampleRateHz: number; channels: number } | undefined;
  for (let offset = 12; offset + 8 <= wav.byteLength;) {
    const id = text(offset);
    const size = view.getUint32(offset + 4, true);
    const body = offset + 8;
    if (id === "fmt ") {
      const audioFormat = view.getUint16(body, true);
      const bits = view.getUint16(body + 14, true);
      if (audioFormat !== 1 || bits !== 16) {
        throw new TypeError(`WAV format ${audioFormat} with ${bits} bits: only PCM16 (format 1) is read here`);
      }
      format = { channels: view.getUint16(body + 2, true), sampleRateHz: view.getUint32(body + 4, true) };
    } else if (id === "data") {
      if (format === undefined) throw new TypeError("WAV data chunk before its fmt chunk");
      return { pcm: wav.subarray(body, Math.min(body + size, wav.byteLength)), ...format };
    }
    offset = body + size + (size % 2);
  }
  throw new TypeError("WAV file without a data chunk");
}

/** Yields `audio` in `chunkS`-second pieces at real-time pace, as a microphone or a phone line would. */
export async function* paced(audio: Pcm16, chunkS = 0.1): AsyncGenerator<Uint8Array> {
  const step = Math.max(2, Math.round(audio.sampleRateHz * chunkS)) * 2 * audio.channels;
  const started = performance.now();
  for (let i = 0, offset = 0; offset < audio.pcm.byteLength; i += 1, offset += step) {
    const delay = started + i * chunkS * 1000 - performance.now();
    if (delay > 0) await sleep(delay);
    yield audio.pcm.subarray(offset, offset + step);
  }
}
