/** client.deployments: create, get, list, update (promote, canary), rollback, delete. */
import type { Client, Transport } from "@connectrpc/connect";
import type { MessageInitShape } from "@bufbuild/protobuf";

import {
  type CreateDeploymentRequestSchema,
  type Deployment,
  Deployments,
  type UpdateDeploymentRequestSchema,
} from "./gen/adapt/v1/deployments_pb.js";
import { createTypedClient } from "./transport.js";
import { type CallOptions, type Page, allPages } from "./waiting.js";

export type CreateDeploymentInit = MessageInitShape<typeof CreateDeploymentRequestSchema> & { deploymentId: string };
/** routes replace only the route names given; an unset canary removes the canary. */
export type UpdateDeploymentInit = MessageInitShape<typeof UpdateDeploymentRequestSchema> & { deploymentId: string };

export class DeploymentsApi {
  readonly raw: Client<typeof Deployments>;

  constructor(transport: Transport) {
    this.raw = createTypedClient(Deployments, transport);
  }

  async create(init: CreateDeploymentInit, options: CallOptions = {}): Promise<Deployment> {
    return this.raw.createDeployment(init, options);
  }

  async get(id: string, options: CallOptions = {}): Promise<Deployment> {
    return this.raw.getDeployment({ id }, options);
  }

  async listPage(page: { pageSize?: number; pageToken?: string } = {}, options: CallOptions = {}): Promise<Page<Deployment>> {
    const response = await this.raw.listDeployments(page, options);
    return { items: response.deployments, nextPageToken: response.nextPageToken };
  }

  list(page: { pageSize?: number } = {}): AsyncGenerator<Deployment> {
    return allPages((pageToken) => this.listPage({ ...page, pageToken }));
  }

  /** Promotes models to routes ({stt: modelId}); FailedPreconditionError when a model failed its gates. */
  async update(init: UpdateDeploymentInit, options: CallOptions = {}): Promise<Deployment> {
    return this.raw.updateDeployment(init, options);
  }

  /** Back to the routes before the active revision (or to `revision`). */
  async rollback(deploymentId: string, revision = 0n, options: CallOptions = {}): Promise<Deployment> {
    return this.raw.rollbackDeployment({ deploymentId, revision }, options);
  }

  async delete(id: string, options: CallOptions = {}): Promise<void> {
    await this.raw.deleteDeployment({ id }, options);
  }
}
