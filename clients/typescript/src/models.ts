/** client.models: list, get, register, delete. */
import type { Client, Transport } from "@connectrpc/connect";
import type { MessageInitShape } from "@bufbuild/protobuf";

import { type Model, Models, type RegisterModelRequestSchema } from "./gen/adapt/v1/models_pb.js";
import { createTypedClient } from "./transport.js";
import { type CallOptions, type Page, allPages } from "./waiting.js";

export type RegisterModelInit = MessageInitShape<typeof RegisterModelRequestSchema> & { path: string };

export class ModelsApi {
  readonly raw: Client<typeof Models>;

  constructor(transport: Transport) {
    this.raw = createTypedClient(Models, transport);
  }

  async get(id: string, options: CallOptions = {}): Promise<Model> {
    return this.raw.getModel({ id }, options);
  }

  async listPage(page: { pageSize?: number; pageToken?: string } = {}, options: CallOptions = {}): Promise<Page<Model>> {
    const response = await this.raw.listModels(page, options);
    return { items: response.models, nextPageToken: response.nextPageToken };
  }

  list(page: { pageSize?: number } = {}): AsyncGenerator<Model> {
    return allPages((pageToken) => this.listPage({ ...page, pageToken }));
  }

  /** Registers a CTranslate2 or Hugging Face Whisper directory on the server (inside a --model-root). */
  async register(init: RegisterModelInit, options: CallOptions = {}): Promise<Model> {
    return this.raw.registerModel(init, options);
  }

  async delete(id: string, options: CallOptions = {}): Promise<void> {
    await this.raw.deleteModel({ id }, options);
  }
}
