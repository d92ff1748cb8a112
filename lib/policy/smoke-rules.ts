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


/** Request headers: token names, values without CR/LF/NUL; a bad name is reported with the name as the path. */
export const headersSchema = z.record(z.string(), headerValueSchema).superRefine((headers, ctx) => {
  for (const name of Object.keys(headers)) {
    const result = headerNameSchema.safeParse(name);
    if (!result.success) ctx.addIssue({ code: 'custom', path: [name], message: result.error.issues[0].message });
  }
});
