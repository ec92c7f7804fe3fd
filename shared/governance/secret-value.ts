// No SDK import here: the environment schema wraps secrets in this class in every function.

export const REDACTED = '[redacted]';

/**
 * A secret string that does not leak by accident: `String()`, JSON, template literals and
 * `util.inspect` (Powertools logger, console.log) all print `[redacted]`. Only `reveal()` gives the value,
 * and only the code that puts it in a request header or an HMAC calls it.
 */
export class SecretValue {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  reveal(): string {
    return this.#value;
  }

  toString(): string {
    return REDACTED;
  }

  toJSON(): string {
    return REDACTED;
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return REDACTED;
  }
}

