/** client.evaluations: create, get, list, wait, watch, cancel, delete, utterance results. */
import type { Client, Transport } from "@connectrpc/connect";
import type { MessageInitShape } from "@bufbuild/protobuf";
import { randomUUID } from "node:crypto";

import type { Event } from "./gen/adapt/v1/common_pb.js";
import {
  type CreateEvaluationRequestSchema,
  type Evaluation,
  Evaluations,
  type UtteranceResult,
} from "./gen/adapt/v1/evaluations_pb.js";
import { createTypedClient } from "./transport.js";
import { type CallOptions, type Page, type WaitOptions, allPages, waitUntilFinished } from "./waiting.js";

/** The fields of CreateEvaluationRequest (datasetId, candidates, metrics, split, gates, ...). */
export type CreateEvaluationInit = MessageInitShape<typeof CreateEvaluationRequestSchema> & {
  datasetId: string;
  candidates: string[];
};

export class EvaluationsApi {
  readonly raw: Client<typeof Evaluations>;

  constructor(transport: Transport) {
    this.raw = createTypedClient(Evaluations, transport);
  }

  /** Starts an evaluation of `candidates` on a dataset; returns at once (see wait()). */
  async create(init: CreateEvaluationInit, options: CallOptions = {}): Promise<Evaluation> {
    return this.raw.createEvaluation({ ...init, requestId: init.requestId || randomUUID() }, options);
  }

  async get(id: string, options: CallOptions = {}): Promise<Evaluation> {
    return this.raw.getEvaluation({ id }, options);
  }

  async listPage(page: { pageSize?: number; pageToken?: string; datasetId?: string } = {},
                 options: CallOptions = {}): Promise<Page<Evaluation>> {
    const response = await this.raw.listEvaluations(page, options);
    return { items: response.evaluations, nextPageToken: response.nextPageToken };
  }

  list(page: { pageSize?: number; datasetId?: string } = {}): AsyncGenerator<Evaluation> {
    return allPages((pageToken) => this.listPage({ ...page, pageToken }));
  }

  watch(id: string, afterSequence = 0n, options: CallOptions = {}): AsyncIterable<Event> {
    return this.raw.watchEvaluation({ id, afterSequence }, options);
  }

  /** Resolves with the finished evaluation (its `result` holds the leaderboard and the winner). */
  async wait(id: string, options: WaitOptions = {}): Promise<Evaluation> {
    return waitUntilFinished("evaluation", id, (i, after, call) => this.watch(i, after, call), (i, call) => this.get(i, call), options);
  }

  async cancel(id: string, options: CallOptions = {}): Promise<Evaluation> {
    return this.raw.cancelEvaluation({ id }, options);
  }

  async delete(id: string, options: CallOptions = {}): Promise<void> {
    await this.raw.deleteEvaluation({ id }, options);
  }

  /** Per-utterance hypotheses and word alignments, all pages. */
  utteranceResults(evaluationId: string, filter: { modelId?: string; errorsOnly?: boolean; pageSize?: number } = {}):
      AsyncGenerator<UtteranceResult> {
    return allPages(async (pageToken) => {
      const response = await this.raw.listUtteranceResults({ evaluationId, ...filter, pageToken });
      return { items: response.utterances, nextPageToken: response.nextPageToken };
    });
  }
}
