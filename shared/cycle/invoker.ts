import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { FunctionNameMissingError } from './errors.js';
import type { InvokedRole } from './roles.js';

export type { InvokedRole } from './roles.js';

/** Starts the planner on a queued run (POST /v1/recompute); without one, a schedule's plan creates the run. */
export interface PlanEvent {
  runId?: string;
}
/** Starts the finalizer of a run whose assets are all done, or of one the planner found stuck. */
export interface FinalizeEvent {
  runId: string;
  /** Close the run with the outcomes it has, the missing assets as errors (it exceeded runTimeoutMinutes). */
  closeIncomplete?: boolean;
}
export interface PublishEvent {
  reason?: string;
}
export interface InvokedRoleEvents {
  plan: PlanEvent;
  finalize: FinalizeEvent;
  publish: PublishEvent;
}

/** Starts a function asynchronously: the caller does not wait for it to finish. */
export interface Invoker {
  invoke<R extends InvokedRole>(role: R, event: InvokedRoleEvents[R]): Promise<void>;
}

/** Cloud: an asynchronous Lambda invocation (Lambda retries it and sends failures to the DLQ). */
export class LambdaInvoker implements Invoker {
  // Created at the first invocation: most API requests never start a function, and cold start counts.
  private client: LambdaClient | undefined;

  constructor(private readonly functionNames: Record<InvokedRole, string | undefined>) {}

  async invoke<R extends InvokedRole>(role: R, event: InvokedRoleEvents[R]): Promise<void> {
    const functionName = this.functionNames[role];
    if (!functionName) throw new FunctionNameMissingError(role);
    this.client ??= new LambdaClient({});
    await this.client.send(
      new InvokeCommand({ FunctionName: functionName, InvocationType: 'Event', Payload: Buffer.from(JSON.stringify(event)) }),
    );
  }
}
