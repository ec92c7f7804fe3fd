import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';

/** The next stages of a cycle, each a Lambda function in the cloud. */
export type Stage = 'ingest' | 'compute' | 'publish';

export interface IngestEvent {
  runId?: string;
}
/** Starts the finalizer of a run whose assets are all done, or of one the planner found stuck. */
export interface ComputeEvent {
  runId: string;
  /** Close the run with the outcomes it has, the missing assets as errors (it exceeded runTimeoutMinutes). */
  closeIncomplete?: boolean;
}
export interface PublishEvent {
  reason?: string;
}
export interface StageEvents {
  ingest: IngestEvent;
  compute: ComputeEvent;
  publish: PublishEvent;
}

/** Starts a stage asynchronously: the caller does not wait for it to finish. */
export interface Invoker {
  invoke<S extends Stage>(stage: S, event: StageEvents[S]): Promise<void>;
}

/** Cloud: an asynchronous Lambda invocation (Lambda retries it and sends failures to the DLQ). */
export class LambdaInvoker implements Invoker {
  // Created at the first invocation: most API requests never start a stage, and cold start counts.
  private client: LambdaClient | undefined;

  constructor(private readonly functionNames: Record<Stage, string | undefined>) {}

  async invoke<S extends Stage>(stage: S, event: StageEvents[S]): Promise<void> {
    const functionName = this.functionNames[stage];
    if (!functionName) throw new Error(`no function name configured for stage ${stage}`);
    this.client ??= new LambdaClient({});
    await this.client.send(
      new InvokeCommand({ FunctionName: functionName, InvocationType: 'Event', Payload: Buffer.from(JSON.stringify(event)) }),
    );
  }
}

let registered: Invoker | undefined;

/** The local runtime registers an in-process invoker so the same handlers chain without AWS. */
export function registerInvoker(invoker: Invoker | undefined): void {
  registered = invoker;
}

export function registeredInvoker(): Invoker | undefined {
  return registered;
}
