/** client.speech: unary transcription (bytes, a file, or a stored recording) and streaming transcription. */
import { create } from "@bufbuild/protobuf";
import type { Client, Transport } from "@connectrpc/connect";
import { readFile } from "node:fs/promises";

import {
  AudioEncoding,
  type RecognitionConfig,
  RecognitionConfigSchema,
  Speech,
  type StreamingTranscribeRequest,
  StreamingTranscribeRequestSchema,
  type StreamingTranscribeResponse,
  type TranscribeResponse,
} from "./gen/adapt/v1/speech_pb.js";
import { InvalidArgumentError } from "./errors.js";
import { createTypedClient } from "./transport.js";
import type { CallOptions } from "./waiting.js";

/** Which model decodes and how. Zero values (unset) are the server's defaults. */
export interface RecognitionOptions {
  /** A model id ("whisper-tiny.en", "ft:..."); default: the bundled model. */
  model?: string;
  /** Or a deployment whose "stt" route names the model. */
  deploymentId?: string;
  /** With deploymentId: the same key always takes the same side of a canary. */
  routingKey?: string;
  beamSize?: number;
  computeType?: string;
  /** Word start/end times (default true). */
  wordTimestamps?: boolean;
  initialPrompt?: string;
  hotwords?: string;
  temperatures?: number[];
  /** Language code spoken ("en", "de", ...); "" (default): the model detects it (results say which). */
  language?: string;
}

export type Encoding = "encoded" | "linear16";

export interface TranscribeOptions extends RecognitionOptions, CallOptions {
  /** "encoded" (default): `audio` is a whole file (wav, flac, mp3, ogg, m4a...); "linear16": raw PCM16. */
  encoding?: Encoding;
  /** linear16: required; encoded: optional, checked against the file. */
  sampleRateHz?: number;
  channels?: number;
}

export interface StreamOptions extends RecognitionOptions, CallOptions {
  /** "linear16" (default): raw little-endian PCM16 chunks at sampleRateHz; "encoded": pieces of a file. */
  encoding?: Encoding;
  /** Default 16000. */
  sampleRateHz?: number;
  channels?: number;
  /** Interim (partial) results besides finals (default true). */
  interimResults?: boolean;
  /** Trailing silence that ends an utterance, seconds (server default 0.5). */
  endpointSilenceS?: number;
}

/** A stored recording of a dataset. */
export interface RecordingRef {
  datasetId: string;
  recordingId: string;
}

const ENCODINGS: Record<Encoding, AudioEncoding> = {
  encoded: AudioEncoding.ENCODED,
  linear16: AudioEncoding.LINEAR16,
};

function encoding(name: Encoding | undefined, fallback: AudioEncoding): AudioEncoding {
  if (name === undefined) return fallback;
  const value = ENCODINGS[name];
  if (value === undefined) {
    throw new InvalidArgumentError(`encoding must be "encoded" or "linear16", got ${JSON.stringify(name)}`);
  }
  return value;
}

function recognition(options: RecognitionOptions): RecognitionConfig {
  return create(RecognitionConfigSchema, {
    model: options.model ?? "",
    deploymentId: options.deploymentId ?? "",
    routingKey: options.routingKey ?? "",
    beamSize: options.beamSize ?? 0,
    computeType: options.computeType ?? "",
    disableWordTimestamps: options.wordTimestamps === false,
    initialPrompt: options.initialPrompt ?? "",
    hotwords: options.hotwords ?? "",
    temperatures: options.temperatures ?? [],
    language: options.language ?? "",
  });
}

function callOptions(options: CallOptions): CallOptions {
  const call: CallOptions = {};
  if (options.timeoutMs !== undefined) call.timeoutMs = options.timeoutMs;
  if (options.signal !== undefined) call.signal = options.signal;
  return call;
}

export class SpeechApi {
  readonly raw: Client<typeof Speech>;

  constructor(transport: Transport) {
    this.raw = createTypedClient(Speech, transport);
  }

  /** Transcribes audio bytes (a whole file, or raw PCM16 with encoding "linear16") or a stored recording. */
  async transcribe(audio: Uint8Array | RecordingRef, options: TranscribeOptions = {}): Promise<TranscribeResponse> {
    const audioSource = audio instanceof Uint8Array
      ? { case: "audio" as const, value: audio }
      : { case: "recording" as const, value: { datasetId: audio.datasetId, recordingId: audio.recordingId } };
    return this.raw.transcribe({
      config: recognition(options),
      audioSource,
      encoding: encoding(options.encoding, AudioEncoding.AUDIO_ENCODING_UNSPECIFIED),
      sampleRateHz: options.sampleRateHz ?? 0,
      channels: options.channels ?? 0,
    }, callOptions(options));
  }

  /** Reads a local file and transcribes it. */
  async transcribeFile(path: string, options: TranscribeOptions = {}): Promise<TranscribeResponse> {
    return this.transcribe(new Uint8Array(await readFile(path)), options);
  }

  /**
   * Streams `chunks` (raw PCM16 at sampleRateHz, or pieces of a file with encoding "encoded") and yields
   * interim and final results as the server produces them. Ends when the audio ends and the last final came.
   */
  stream(chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, options: StreamOptions = {}):
      AsyncIterable<StreamingTranscribeResponse> {
    const config = {
      recognition: recognition(options),
      encoding: encoding(options.encoding, AudioEncoding.LINEAR16),
      sampleRateHz: options.sampleRateHz ?? 16000,
      channels: options.channels ?? 1,
      disableInterimResults: options.interimResults === false,
      endpointSilenceS: options.endpointSilenceS ?? 0,
    };
    async function* requests(): AsyncGenerator<StreamingTranscribeRequest> {
      yield create(StreamingTranscribeRequestSchema, { request: { case: "config", value: config } });
      for await (const chunk of chunks) {
        yield create(StreamingTranscribeRequestSchema, { request: { case: "audio", value: chunk } });
      }
    }
    return this.raw.streamingTranscribe(requests(), callOptions(options));
  }
}
