import type { IConstruct } from 'constructs';

/**
 * The oldest aws-cdk-lib the constructs synthesize with: `peerDependencies` in package.json says the same
 * (test/package/package-json.test.ts checks), and `npm run test:package` synthesizes the consumer apps at
 * it. Older releases reject the rule ids of the cdk-nag acknowledgements (`Validations.acknowledge` with a
 * `Resource::…` id: `InvalidValidationId`, found by synthesizing 2.264–2.276; 2.269.0 is the first that
 * accepts them).
 */
export const MINIMUM_AWS_CDK_LIB = '2.269.0';

/** The aws-cdk-lib this package resolves: the app's own copy, since aws-cdk-lib is a peer dependency. */
function installedAwsCdkLib(): string | undefined {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- aws-cdk-lib exports its package.json
    return (require('aws-cdk-lib/package.json') as { version?: string }).version;
  } catch {
    return undefined;
  }
}

const parts = (version: string) => version.split(/[.+-]/).slice(0, 3).map(Number);

/** Whether `version` is older than `minimum` (major.minor.patch; a pre-release counts as its release). */
export function isOlderThan(version: string, minimum: string): boolean {
  const [a, b] = [parts(version), parts(minimum)];
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return a[i] < b[i];
  return false;
}

/**
 * Fails construct creation with a clear error when the app's aws-cdk-lib is older than the minimum,
 * instead of the error an older release gives deep in synthesis, which names no version. Silent when
 * the version cannot be read (a bundled aws-cdk-lib without its package.json): nothing to compare.
 */
export function requireSupportedAwsCdkLib(scope: IConstruct, version = installedAwsCdkLib()): void {
  if (version === undefined || !/^\d+\.\d+\.\d+/.test(version) || !isOlderThan(version, MINIMUM_AWS_CDK_LIB)) return;
  throw new Error(
    `${scope.node.path}: canary-evaluator needs aws-cdk-lib ${MINIMUM_AWS_CDK_LIB} or newer, and this app has aws-cdk-lib ${version}. ` +
      `Upgrade it (npm install aws-cdk-lib@^${MINIMUM_AWS_CDK_LIB}), the peer dependency canary-evaluator declares.`,
  );
}
