import { RE2JS } from 're2js';

// Zod-free: the smoke-test Lambda imports this at run time (the bundle test keeps zod out of Lambdas).

/**
 * Smoke-test patterns run on the new version's response, so they run in RE2's linear time
 * (npm `re2js`): a catastrophic pattern such as `^(a+)+$` cannot hold the smoke Lambda, and RE2
 * syntax (no backreferences or lookarounds) is what `matches` accepts.
 */
export function compilePattern(pattern: string): RE2JS {
  let compiled = compiled_.get(pattern);
  if (!compiled) {
    compiled = RE2JS.compile(pattern);
    // Compiling costs milliseconds; a policy's few patterns are compiled once per process.
    if (compiled_.size >= 256) compiled_.clear();
    compiled_.set(pattern, compiled);
  }
  return compiled;
}
const compiled_ = new Map<string, RE2JS>();

/** Why `pattern` is not a usable RE2 pattern, or `undefined`. */
export function patternProblem(pattern: string): string | undefined {
  try {
    compilePattern(pattern);
    return undefined;
  } catch (error) {
    return `not a valid RE2 regular expression (no backreferences or lookarounds): ${(error as Error).message}`;
  }
}

/**
 * Hosts a smoke test never calls, whatever the registration allows: loopback (the Lambda runtime API
 * listens on 127.0.0.1:9001) and link-local (instance metadata, 169.254.169.254 and fd00:ec2::254).
 * `host` is a URL's `hostname` (IPv6 in brackets).
 */
export function deniedHostReason(host: string): string | undefined {
  const name = host.toLowerCase().replace(/^\[|\]$/g, '').replace(/\.$/, '');
  if (name === 'localhost' || name.endsWith('.localhost')) return 'loopback';
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(name);
  if (v4) {
    const [a, b] = [Number(v4[1]), Number(v4[2])];
    if (a === 127) return 'loopback';
    if (a === 0) return 'the unspecified address';
    if (a === 169 && b === 254) return 'link-local (instance metadata)';
    return undefined;
  }
  if (name.includes(':')) {
    if (name === '::1' || name === '::') return 'loopback';
    if (/^fe[89ab]/.test(name)) return 'link-local';
    if (name === 'fd00:ec2::254') return 'link-local (instance metadata)';
    const mapped = /^::ffff:(.+)$/.exec(name);
    if (mapped) {
      // WHATWG URL writes ::ffff:127.0.0.1 as ::ffff:7f00:1
      const hex = /^([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(mapped[1]);
      const v4text = hex ? [parseInt(hex[1], 16) >> 8, parseInt(hex[1], 16) & 255, parseInt(hex[2], 16) >> 8, parseInt(hex[2], 16) & 255].join('.') : mapped[1];
      return deniedHostReason(v4text);
    }
  }
  return undefined;
}


/** `Orders.Example.com.` → `orders.example.com`: hosts compare case-insensitively, without the root dot. */
function normalHost(host: string): string {
  return host.toLowerCase().replace(/\.$/, '');
}

/**
 * Why a smoke test must not call `host` for a registration that allows `allowedHosts`, or `undefined`:
 * loopback and link-local are always denied, anything else must be on the registration's list (the hosts
 * it names, such as the ECS load balancer, plus its `allowedSmokeTestHosts`). One rule for synth and run time.
 */
export function smokeHostProblem(host: string, allowedHosts: readonly string[]): string | undefined {
  const denied = deniedHostReason(host);
  if (denied) return `${host} is ${denied}`;
  if (!allowedHosts.some((allowed) => normalHost(allowed) === normalHost(host))) {
    return `${host} is not one of this registration's smoke-test hosts (${allowedHosts.join(', ') || 'none'}); add it to allowedSmokeTestHosts`;
  }
  return undefined;
}
