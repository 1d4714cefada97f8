/** client.fineTunes: create, get, list, wait, watch, cancel. */
import type { Client, Transport } from "@connectrpc/connect";
import type { MessageInitShape } from "@bufbuild/protobuf";
import { randomUUID } from "node:crypto";

import type { Event } from "./gen/adapt/v1/common_pb.js";
import { type CreateFineTuneRequestSchema, type FineTune, FineTunes } from "./gen/adapt/v1/fine_tunes_pb.js";
import { createTypedClient } from "./transport.js";
import { type CallOptions, type Page, type WaitOptions, allPages, waitUntilFinished } from "./waiting.js";

/** The fields of CreateFineTuneRequest: baseModel, datasetId, hyperparameters ({learning_rate: 1e-4, ...}), ... */
export type CreateFineTuneInit = MessageInitShape<typeof CreateFineTuneRequestSchema> & {
  baseModel: string;
  datasetId: string;
};

export class FineTunesApi {
  readonly raw: Client<typeof FineTunes>;

  constructor(transport: Transport) {
    this.raw = createTypedClient(FineTunes, transport);
  }

  async create(init: CreateFineTuneInit, options: CallOptions = {}): Promise<FineTune> {
    return this.raw.createFineTune({ ...init, requestId: init.requestId || randomUUID() }, options);
  }

  async get(id: string, options: CallOptions = {}): Promise<FineTune> {
    return this.raw.getFineTune({ id }, options);
  }

  async listPage(page: { pageSize?: number; pageToken?: string } = {}, options: CallOptions = {}): Promise<Page<FineTune>> {
    const response = await this.raw.listFineTunes(page, options);
    return { items: response.fineTunes, nextPageToken: response.nextPageToken };
  }

  list(page: { pageSize?: number } = {}): AsyncGenerator<FineTune> {
    return allPages((pageToken) => this.listPage({ ...page, pageToken }));
  }

  /** Step, loss, learning rate and ETA events until the job ends. */
  watch(id: string, afterSequence = 0n, options: CallOptions = {}): AsyncIterable<Event> {
    return this.raw.watchFineTune({ id, afterSequence }, options);
  }

  /** Resolves with the finished job; its `modelId` ("ft:<base>:<id>") is the tuned model. */
  async wait(id: string, options: WaitOptions = {}): Promise<FineTune> {
    return waitUntilFinished("fine-tune", id, (i, after, call) => this.watch(i, after, call), (i, call) => this.get(i, call), options);
  }

  async cancel(id: string, options: CallOptions = {}): Promise<FineTune> {
    return this.raw.cancelFineTune({ id }, options);
  }
}
