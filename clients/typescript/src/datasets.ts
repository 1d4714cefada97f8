/** client.datasets: create, get, list, wait, watch, cancel, delete, recordings, export. */
import type { JsonObject, JsonValue } from "@bufbuild/protobuf";
import type { Client, Transport } from "@connectrpc/connect";
import { randomUUID } from "node:crypto";

import type { Event } from "./gen/adapt/v1/common_pb.js";
import { type Dataset, Datasets, type Recording } from "./gen/adapt/v1/datasets_pb.js";
import { createTypedClient } from "./transport.js";
import { type CallOptions, type Page, type WaitOptions, allPages, waitUntilFinished } from "./waiting.js";

/** Where audio comes from: {type: "local", uri: "/data/calls"} or {type: "s3", uri: "s3://bucket/prefix/"}.
 * Options ({"channels": "split"}, {"endpoint_url": ...}) go in `options` or next to type and uri. */
export interface SourceInit {
  type: string;
  uri: string;
  options?: JsonObject;
  [option: string]: JsonValue | undefined;
}

/** One pipeline step and its parameters, e.g. {step: "diarize", num_speakers: 2}. */
export interface PipelineStepInit {
  step: string;
  [param: string]: JsonValue | undefined;
}

export interface CreateDatasetInit {
  name: string;
  sources: SourceInit[];
  pipeline?: PipelineStepInit[];
  labels?: Record<string, string>;
  /** A retry with the same id returns the same dataset; default: a fresh UUID. */
  requestId?: string;
}

export type ExportFormat = "jsonl" | "rttm" | "ctm" | "audit";

function defined(entries: Record<string, JsonValue | undefined>): JsonObject {
  return Object.fromEntries(Object.entries(entries).filter(([, v]) => v !== undefined)) as JsonObject;
}

export class DatasetsApi {
  readonly raw: Client<typeof Datasets>;

  constructor(transport: Transport) {
    this.raw = createTypedClient(Datasets, transport);
  }

  /** Starts importing `sources`; returns at once with a PENDING dataset (see wait()). */
  async create(init: CreateDatasetInit, options: CallOptions = {}): Promise<Dataset> {
    const sources = init.sources.map(({ type, uri, options: extra, ...rest }) => ({
      type, uri, options: defined({ ...(extra ?? {}), ...rest }),
    }));
    const pipeline = (init.pipeline ?? []).map(({ step, ...params }) => ({ step, params: defined(params) }));
    return this.raw.createDataset({
      name: init.name, sources, pipeline, labels: init.labels ?? {}, requestId: init.requestId ?? randomUUID(),
    }, options);
  }

  async get(id: string, options: CallOptions = {}): Promise<Dataset> {
    return this.raw.getDataset({ id }, options);
  }

  async listPage(page: { pageSize?: number; pageToken?: string } = {}, options: CallOptions = {}): Promise<Page<Dataset>> {
    const response = await this.raw.listDatasets({ pageSize: page.pageSize ?? 0, pageToken: page.pageToken ?? "" }, options);
    return { items: response.datasets, nextPageToken: response.nextPageToken };
  }

  /** Every dataset, oldest first, fetched `pageSize` at a time. */
  list(page: { pageSize?: number } = {}): AsyncGenerator<Dataset> {
    return allPages((pageToken) => this.listPage({ pageSize: page.pageSize ?? 0, pageToken }));
  }

  /** The progress events of the import until it finishes. */
  watch(id: string, afterSequence = 0n, options: CallOptions = {}): AsyncIterable<Event> {
    return this.raw.watchDataset({ id, afterSequence }, options);
  }

  /** Resolves with the dataset once it SUCCEEDED; JobFailedError / JobCancelledError / WaitTimeoutError otherwise. */
  async wait(id: string, options: WaitOptions = {}): Promise<Dataset> {
    return waitUntilFinished("dataset", id, (i, after, call) => this.watch(i, after, call), (i, call) => this.get(i, call), options);
  }

  async cancel(id: string, options: CallOptions = {}): Promise<Dataset> {
    return this.raw.cancelDataset({ id }, options);
  }

  /** Deletes a finished dataset; resolves with the number of audio blobs freed. */
  async delete(id: string, options: CallOptions = {}): Promise<bigint> {
    return (await this.raw.deleteDataset({ id }, options)).blobsRemoved;
  }

  /** Every recording of a dataset. */
  async recordings(datasetId: string, options: CallOptions = {}): Promise<Recording[]> {
    const items: Recording[] = [];
    for await (const recording of allPages(async (pageToken) => {
      const response = await this.raw.listRecordings({ datasetId, pageToken }, options);
      return { items: response.recordings, nextPageToken: response.nextPageToken };
    })) {
      items.push(recording);
    }
    return items;
  }

  /** The dataset as text for other tools: a NeMo/Lhotse JSONL manifest, RTTM, CTM or the redaction audit. */
  async export(datasetId: string, format: ExportFormat = "jsonl", split = "", options: CallOptions = {}): Promise<string> {
    return (await this.raw.exportDataset({ datasetId, format, split }, options)).text;
  }
}
