import { powertoolsRuntime } from '../lib/adapters/aws/powertools';
import type { HandlerRuntime } from '../lib/evaluation/handlers/runtime';

/** One Powertools logger and EMF telemetry per container. */
export const runtime: HandlerRuntime = powertoolsRuntime();

/** An environment variable the construct always sets; a missing one is a deployment error. */
export function requiredEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`environment variable ${name} is not set; deploy this function with the CanaryEvaluator construct`);
  return value;
}

/** Builds the handler on the first invocation (clients are created once per container), then calls it. */
export function lazyHandler<H extends (event: unknown, context?: unknown) => Promise<unknown>>(build: () => H) {
  let wired: H | undefined;
  return (event: unknown, context?: unknown) => (wired ??= build())(event, context);
}
