import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { AwsSecretResolver } from '../../lib/adapters/aws/secret-resolver';

const secretsManager = mockClient(SecretsManagerClient);
const ssm = mockClient(SSMClient);
const SECRET = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:orders/token';
const resolver = () => new AwsSecretResolver(new SecretsManagerClient({}), new SSMClient({}));

beforeEach(() => {
  secretsManager.reset();
  ssm.reset();
});

test('a secret: its SecretString, read by the ARN the policy gives', async () => {
  secretsManager.on(GetSecretValueCommand, { SecretId: SECRET }).resolves({ SecretString: 'tok' });
  await expect(resolver().resolve({ secret: SECRET })).resolves.toBe('tok');
});

test('a JSON key of a secret; a missing or non-string key and a non-JSON secret are errors naming the key, not the value', async () => {
  secretsManager.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify({ token: 'tok', port: 443 }) });
  await expect(resolver().resolve({ secret: SECRET, jsonKey: 'token' })).resolves.toBe('tok');
  await expect(resolver().resolve({ secret: SECRET, jsonKey: 'port' })).rejects.toThrow(`secret ${SECRET} has no string key port`);
  await expect(resolver().resolve({ secret: SECRET, jsonKey: 'missing' })).rejects.toThrow(`has no string key missing`);
  secretsManager.on(GetSecretValueCommand).resolves({ SecretString: 'plain-token-value' });
  const failure = resolver().resolve({ secret: SECRET, jsonKey: 'token' });
  await expect(failure).rejects.toThrow(`secret ${SECRET} is not JSON, so it has no key token`);
  await expect(failure).rejects.not.toThrow('plain-token-value');
});

test('a binary secret cannot be a header', async () => {
  secretsManager.on(GetSecretValueCommand).resolves({ SecretBinary: new Uint8Array([1, 2]) });
  await expect(resolver().resolve({ secret: SECRET })).rejects.toThrow('has no SecretString');
});

test('a parameter is read decrypted (a SecureString), by name', async () => {
  ssm.on(GetParameterCommand, { Name: '/orders/api-key', WithDecryption: true }).resolves({ Parameter: { Value: 'k-123', Type: 'SecureString' } });
  await expect(resolver().resolve({ parameter: '/orders/api-key' })).resolves.toBe('k-123');
  expect(ssm.commandCalls(GetParameterCommand)[0].args[0].input).toEqual({ Name: '/orders/api-key', WithDecryption: true });
});

test('a String parameter is plain text, not a secret: refused, naming its type', async () => {
  ssm.on(GetParameterCommand).resolves({ Parameter: { Value: 'plain', Type: 'String' } });
  await expect(resolver().resolve({ parameter: '/orders/api-key' })).rejects.toThrow('parameter /orders/api-key is a String, not a SecureString');
});
