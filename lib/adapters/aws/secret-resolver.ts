import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetParameterCommand, type SSMClient } from '@aws-sdk/client-ssm';
import type { SecretReference } from '../../policy';
import type { SecretResolver } from '../../evaluation/ports';

/** A value that could not be used as a header, named without the value. */
export class SecretValueError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SecretValueError';
  }
}

/**
 * Reads smoke-test header secrets: Secrets Manager `GetSecretValue` (the SecretString; with `jsonKey`,
 * one string field of it as JSON) and SSM `GetParameter` with `WithDecryption` (a SecureString's
 * plain text). A binary secret, a missing key or a non-string field is an error that names the key.
 */
export class AwsSecretResolver implements SecretResolver {
  constructor(
    private readonly secretsManager: SecretsManagerClient,
    private readonly ssm: SSMClient,
  ) {}

  async resolve(reference: SecretReference): Promise<string> {
    if (reference.parameter !== undefined) {
      const result = await this.ssm.send(new GetParameterCommand({ Name: reference.parameter, WithDecryption: true }));
      const value = result.Parameter?.Value;
      if (value === undefined) throw new SecretValueError(`parameter ${reference.parameter} has no value`);
      // A String or StringList parameter is stored in plain text, readable by anyone with GetParameter: not a secret.
      if (result.Parameter?.Type !== 'SecureString') throw new SecretValueError(`parameter ${reference.parameter} is a ${result.Parameter?.Type ?? 'parameter of unknown type'}, not a SecureString`);
      return value;
    }
    const result = await this.secretsManager.send(new GetSecretValueCommand({ SecretId: reference.secret }));
    if (result.SecretString === undefined) throw new SecretValueError(`secret ${reference.secret} has no SecretString (a binary secret cannot be a header)`);
    if (reference.jsonKey === undefined) return result.SecretString;
    let document: unknown;
    try {
      document = JSON.parse(result.SecretString);
    } catch {
      throw new SecretValueError(`secret ${reference.secret} is not JSON, so it has no key ${reference.jsonKey}`);
    }
    const field = typeof document === 'object' && document !== null && Object.prototype.hasOwnProperty.call(document, reference.jsonKey) ? (document as Record<string, unknown>)[reference.jsonKey] : undefined;
    if (typeof field !== 'string') throw new SecretValueError(`secret ${reference.secret} has no string key ${reference.jsonKey}`);
    return field;
  }
}
