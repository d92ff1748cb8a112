import { z } from 'zod';
import { patternProblem } from './smoke-safety';

export { compilePattern, deniedHostReason, patternProblem, smokeHostProblem } from './smoke-safety';

export const patternSchema = z.string().superRefine((pattern, ctx) => {
  const problem = patternProblem(pattern);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

/** A header name is an RFC 9110 token (section 5.1): no spaces, colons or control characters. */
export const headerNameSchema = z.string().regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, 'a header name is a token: letters, digits and !#$%&\'*+.^_`|~- (no spaces or colons)');
/** A header value has no CR, LF or NUL (RFC 9110 section 5.5): they would split or smuggle a request. */
export const headerValueSchema = z.string().regex(/^[^\r\n\0]*$/, 'a header value cannot contain CR, LF or NUL');


/**
 * A Secrets Manager secret's ARN. Complete (ending in the hyphen and six random characters Secrets
 * Manager adds) or partial (without them): Secrets Manager API Reference, GetSecretValue `SecretId`,
 * which warns that a name ending in a hyphen and six characters is taken for a complete ARN. Names
 * are letters, digits and /_+=.@- (API Reference, CreateSecret `Name`). A literal ARN: the policy is
 * written into an asset at synth, where a token from another stack cannot be resolved.
 */
export const SECRET_ARN = /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]{1,512}$/;
/** A complete secret ARN ends in `-` and six characters (see SECRET_ARN). */
export const COMPLETE_SECRET_ARN = /-[A-Za-z0-9]{6}$/;
/**
 * An SSM parameter: its name (`/team/orders/token`; letters, digits and _.-/, hierarchies with `/`,
 * not beginning with `aws` or `ssm`: Systems Manager User Guide, "Creating Parameter Store
 * parameters") or its ARN (`arn:aws:ssm:<region>:<account>:parameter/<name without leading slash>`).
 */
export const PARAMETER_NAME = /^(?!\/?(aws|ssm))[a-zA-Z0-9_.\-/]{1,1011}$/i;
export const PARAMETER_ARN = /^arn:aws[a-z-]*:ssm:[a-z0-9-]+:\d{12}:parameter\/[a-zA-Z0-9_.\-/]{1,1011}$/;
/** A customer managed KMS key's ARN (an AWS managed key needs no grant: its key policy allows its service). */
export const KMS_KEY_ARN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[A-Za-z0-9-]+$/;

/**
 * A header value read at run time, never written into the policy asset: a Secrets Manager secret
 * (its SecretString, or one key of it when JSON) or an SSM SecureString parameter (decrypted).
 * `prefix` goes before it (`Bearer `); `kmsKeyArn` names the customer managed key that encrypts it.
 */
export const secretReferenceSchema = z
  .strictObject({
    secret: z.string().regex(SECRET_ARN, 'a Secrets Manager secret ARN: arn:aws:secretsmanager:<region>:<account>:secret:<name>[-<6 characters>]').optional(),
    jsonKey: z.string().min(1).optional(),
    parameter: z
      .string()
      .refine((value) => PARAMETER_NAME.test(value) || PARAMETER_ARN.test(value), 'an SSM parameter name (/team/orders/token: letters, digits, _.-/, not starting with aws or ssm) or its ARN')
      .optional(),
    prefix: headerValueSchema.optional(),
    kmsKeyArn: z.string().regex(KMS_KEY_ARN, 'a KMS key ARN: arn:aws:kms:<region>:<account>:key/<key id>').optional(),
  })
  .superRefine((reference, ctx) => {
    if ((reference.secret === undefined) === (reference.parameter === undefined)) ctx.addIssue({ code: 'custom', message: 'give exactly one of `secret` (a Secrets Manager ARN) and `parameter` (an SSM SecureString)' });
    if (reference.jsonKey !== undefined && reference.secret === undefined) ctx.addIssue({ code: 'custom', path: ['jsonKey'], message: '`jsonKey` picks a key of a JSON secret: it needs `secret`' });
  });
export type SecretReference = z.output<typeof secretReferenceSchema>;
export { secretReferenceKey, secretReferencesOf } from './secret-refs';

/** Headers that carry credentials: a plain-text value would sit in the policy asset, the execution history and logs. */
const CREDENTIAL_HEADERS = new Set(['authorization', 'proxy-authorization', 'x-api-key', 'cookie']);

/**
 * Request headers: token names; values are text without CR/LF/NUL, or a secret reference read at
 * run time. A bad name is reported with the name as the path; a credential header must be a reference.
 */
export const headersSchema = z.record(z.string(), z.union([headerValueSchema, secretReferenceSchema])).superRefine((headers, ctx) => {
  for (const [name, value] of Object.entries(headers)) {
    const result = headerNameSchema.safeParse(name);
    if (!result.success) ctx.addIssue({ code: 'custom', path: [name], message: result.error.issues[0].message });
    if (typeof value === 'string' && CREDENTIAL_HEADERS.has(name.toLowerCase())) {
      ctx.addIssue({
        code: 'custom',
        path: [name],
        message: `the ${name} header in plain text sits in the policy asset, the execution history and the logs; give { secret: "<Secrets Manager ARN>" } or { parameter: "<SSM SecureString name>" }`,
      });
    }
  }
});
