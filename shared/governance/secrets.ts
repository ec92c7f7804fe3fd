import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { AdvisorError } from '../util/errors.js';
import { MS_PER_MINUTE } from '../util/time.js';
import { REDACTED, SecretValue } from './secret-value.js';

export { SecretValue };

/** Where a target gets a secret from; asked on every delivery, so the source decides how long to cache. */
export interface SecretSource {
  /** Names the secret for messages (an env variable or an ARN), never its value. */
  readonly description: string;
  get(): Promise<SecretValue>;
  /** Forgets a cached value (after a 401/403: the secret may have been rotated). */
  invalidate(): void;
}

/** A secret given directly, e.g. from an environment variable (local runs). */
export class StaticSecret implements SecretSource {
  constructor(
    private readonly value: SecretValue,
    readonly description: string,
  ) {}

  async get(): Promise<SecretValue> {
    return this.value;
  }

  invalidate(): void {}
}

export class SecretUnavailableError extends AdvisorError {
  constructor(description: string, reason: string) {
    super('SECRET_UNAVAILABLE', `secret ${description} is unavailable: ${reason}`, { secret: description });
  }
}

/** The part of the Secrets Manager client used here (the real client satisfies it). */
export interface SecretsManagerLike {
  send(command: GetSecretValueCommand): Promise<{ SecretString?: string | undefined }>;
}

export interface SecretsManagerSecretOptions {
  /** `arn:aws:secretsmanager:...:secret:name-AbCdEf`, optionally `#jsonKey` when the secret is a JSON object. */
  reference: string;
  client?: SecretsManagerLike;
  /** How long a fetched value is reused. Default 15 min: few API calls, and a rotation is picked up soon. */
  cacheTtlMs?: number;
  now?: () => number;
}

export const DEFAULT_SECRET_CACHE_TTL_MS = 15 * MS_PER_MINUTE;

let sharedClient: SecretsManagerClient | undefined;

/**
 * A secret in AWS Secrets Manager (the cloud): fetched on first use, cached for `cacheTtlMs`, fetched
 * again after `invalidate()`. The SecretString is the value itself, or a JSON object whose `#jsonKey`
 * field is the value.
 */
export class SecretsManagerSecret implements SecretSource {
  readonly description: string;
  private readonly secretId: string;
  private readonly jsonKey: string | null;
  private readonly client: SecretsManagerLike;
  private readonly cacheTtlMs: number;
  private readonly now: () => number;
  private cached: { value: SecretValue; fetchedAtMs: number } | null = null;

  constructor(options: SecretsManagerSecretOptions) {
    const hash = options.reference.indexOf('#');
    this.secretId = hash >= 0 ? options.reference.slice(0, hash) : options.reference;
    this.jsonKey = hash >= 0 ? options.reference.slice(hash + 1) : null;
    this.description = options.reference;
    this.client = options.client ?? (sharedClient ??= new SecretsManagerClient({}));
    this.cacheTtlMs = options.cacheTtlMs ?? DEFAULT_SECRET_CACHE_TTL_MS;
    this.now = options.now ?? Date.now;
  }

  async get(): Promise<SecretValue> {
    if (this.cached && this.now() - this.cached.fetchedAtMs < this.cacheTtlMs) return this.cached.value;
    let secretString: string | undefined;
    try {
      secretString = (await this.client.send(new GetSecretValueCommand({ SecretId: this.secretId }))).SecretString;
    } catch (error) {
      // The SDK's message names the secret and the failure (AccessDenied, ResourceNotFound), not the value.
      throw new SecretUnavailableError(this.description, (error as Error).name || (error as Error).message);
    }
    if (!secretString) throw new SecretUnavailableError(this.description, 'it has no SecretString');
    const value = new SecretValue(this.extract(secretString));
    this.cached = { value, fetchedAtMs: this.now() };
    return value;
  }

  invalidate(): void {
    this.cached = null;
  }

  private extract(secretString: string): string {
    if (this.jsonKey === null) return secretString.trim();
    let parsed: unknown;
    try {
      parsed = JSON.parse(secretString);
    } catch {
      throw new SecretUnavailableError(this.description, `#${this.jsonKey} was asked for but the secret is not JSON`);
    }
    const field = (parsed as Record<string, unknown> | null)?.[this.jsonKey];
    if (typeof field !== 'string' || field.length === 0) {
      const keys = parsed && typeof parsed === 'object' ? Object.keys(parsed).join(', ') : 'none';
      throw new SecretUnavailableError(this.description, `no string field ${this.jsonKey} (fields: ${keys})`);
    }
    return field;
  }
}

/** Replaces every occurrence of the given secrets in a text (a target's error body could echo one). */
export function redact(text: string, secrets: readonly (SecretValue | string)[]): string {
  let out = text;
  for (const secret of secrets) {
    const value = typeof secret === 'string' ? secret : secret.reveal();
    // Short values would redact ordinary words; real keys and webhook secrets are long.
    if (value.length >= 8) out = out.split(value).join(REDACTED);
  }
  return out;
}
