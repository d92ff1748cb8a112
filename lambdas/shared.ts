import { Logger } from '@aws-lambda-powertools/logger';

/** JSON logs through Powertools; the deployment id is the correlation id of every line. */
export const logger = new Logger({ serviceName: 'canary-evaluator' });

/** An environment variable the construct always sets; a missing one is a deployment error. */
export function requiredEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`environment variable ${name} is not set; deploy this function with the CanaryEvaluator construct`);
  return value;
}
