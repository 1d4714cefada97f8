/** AdaptClient: one connection to an Adapt server and the resource APIs over it. */
import type { Client } from "@connectrpc/connect";
import type { Http2SessionManager } from "@connectrpc/connect-node";

import { DatasetsApi } from "./datasets.js";
import { DeploymentsApi } from "./deployments.js";
import { EvaluationsApi } from "./evaluations.js";
import { FineTunesApi } from "./fine-tunes.js";
import { Server, type ServerStatus } from "./gen/adapt/v1/server_pb.js";
import { ModelsApi } from "./models.js";
import { SpeechApi } from "./speech.js";
import { type ClientOptions, createTypedClient, openTransport } from "./transport.js";
import type { CallOptions } from "./waiting.js";

export class AdaptClient {
  readonly datasets: DatasetsApi;
  readonly evaluations: EvaluationsApi;
  readonly fineTunes: FineTunesApi;
  readonly deployments: DeploymentsApi;
  readonly models: ModelsApi;
  readonly speech: SpeechApi;
  readonly server: Client<typeof Server>;
  private readonly session: Http2SessionManager;

  /** `new AdaptClient({ target: "localhost:50051", apiKey, tls: { rootCerts, certChain, privateKey } })`. */
  constructor(options: ClientOptions) {
    const { transport, session } = openTransport(options);
    this.session = session;
    this.datasets = new DatasetsApi(transport);
    this.evaluations = new EvaluationsApi(transport);
    this.fineTunes = new FineTunesApi(transport);
    this.deployments = new DeploymentsApi(transport);
    this.models = new ModelsApi(transport);
    this.speech = new SpeechApi(transport);
    this.server = createTypedClient(Server, transport);
  }

  /** What the server is doing: version, workers, jobs, active streams, loaded models. */
  async status(options: CallOptions = {}): Promise<ServerStatus> {
    return this.server.getStatus({}, options);
  }

  /** Closes the HTTP/2 connection (calls in flight fail). */
  close(): void {
    this.session.abort();
  }

  [Symbol.dispose](): void {
    this.close();
  }
}
