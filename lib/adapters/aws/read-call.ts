import { isThrottling } from './cloudwatch-metric-source';

/**
 * One read-only AWS call of the CLI, named by its IAM action so a failure says which permission or
 * call it was. Throttling is retried here with bounded exponential backoff and full jitter (AWS
 * Architecture Blog, "Exponential Backoff And Jitter") on top of the SDK's own retries, because the CLI
 * pages through whole histories (`history`, `replay`) and a throttled page should not end the command.
 */
export class AwsReadError extends Error {
  constructor(
    /** The IAM action of the call, `codedeploy:GetDeployment`. */
    readonly action: string,
    /** `access-denied`, `not-found`, `throttled` or `other`. */
    readonly kind: 'access-denied' | 'not-found' | 'throttled' | 'other',
    message: string,
    readonly cause?: unknown,
  ) {
    super(message);
    this.name = 'AwsReadError';
  }
}

export interface ReadRetry {
  /** @default 6 */
  readonly maxAttempts?: number;
  /** @default 250 */
  readonly baseDelayMs?: number;
  /** @default 8000 */
  readonly maxDelayMs?: number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
}

const ACCESS_DENIED = ['AccessDeniedException', 'AccessDenied', 'UnauthorizedOperation', 'UnrecognizedClientException', 'ExpiredTokenException', 'InvalidClientTokenId'];

function errorName(error: unknown): string {
  return (error as { name?: string } | undefined)?.name ?? 'Error';
}

/** Calls `send`, retrying throttling; any other failure becomes an `AwsReadError` naming the action. */
export async function readCall<T>(action: string, send: () => Promise<T>, retry: ReadRetry = {}): Promise<T> {
  const maxAttempts = retry.maxAttempts ?? 6;
  const sleep = retry.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const random = retry.random ?? Math.random;
  for (let attempt = 1; ; attempt++) {
    try {
      return await send();
    } catch (error) {
      const message = (error as Error)?.message ?? String(error);
      if (isThrottling(error)) {
        if (attempt >= maxAttempts) throw new AwsReadError(action, 'throttled', `${action}: still throttled after ${attempt} attempts (${errorName(error)}); try again later`, error);
        const ceiling = Math.min(retry.maxDelayMs ?? 8000, (retry.baseDelayMs ?? 250) * 2 ** (attempt - 1));
        await sleep(Math.floor(random() * ceiling));
        continue;
      }
      if (ACCESS_DENIED.includes(errorName(error))) {
        throw new AwsReadError(action, 'access-denied', `${action} was denied (${errorName(error)}: ${message}); the CLI's read-only policy (README, "CLI permissions") grants it`, error);
      }
      if (/NotFound|DoesNotExist/.test(errorName(error))) throw new AwsReadError(action, 'not-found', `${action}: ${errorName(error)}: ${message}`, error);
      throw new AwsReadError(action, 'other', `${action} failed: ${errorName(error)}: ${message}`, error);
    }
  }
}
