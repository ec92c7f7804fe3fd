/**
 * Base of every refusal the advisor makes: a stable machine code, a human message and the data that
 * caused it. The API maps these to JSON errors; the CLI prints the message.
 */
export class AdvisorError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = new.target.name;
  }
}
