import { Ajv } from 'ajv';
import type { FastifySchemaCompiler } from 'fastify';

/**
 * Request validation with two Ajv instances: bodies are JSON and must have the right types ("5" is not
 * a number), while path and query parameters are text by nature and are converted ("?k=5" is 5).
 * Unknown body fields are rejected, not silently dropped, so a typo is an error the client sees.
 * Numbers in text are read strictly, as decimals: Ajv alone would take "0x10" as 16 and "1e3" as 1000.
 */
const common = { useDefaults: true, removeAdditional: false, allErrors: false, strictTypes: false } as const;
const bodyAjv = new Ajv({ ...common, coerceTypes: false });
const textAjv = new Ajv({ ...common, coerceTypes: true });

const DECIMAL: Record<string, RegExp> = {
  integer: /^[+-]?\d{1,15}$/,
  number: /^[+-]?(\d{1,15}(\.\d*)?|\.\d+)$/,
};

interface TextSchema {
  properties?: Record<string, { type?: string | string[] }>;
}

/** The first numeric parameter written as something other than a plain decimal, as an error message. */
function strictNumbers(schema: TextSchema, httpPart: string | undefined): ((data: unknown) => string | undefined) | undefined {
  const numeric = Object.entries(schema.properties ?? {}).flatMap(([name, p]) => {
    const type = Array.isArray(p.type) ? p.type.find((t) => t in DECIMAL) : p.type;
    return type !== undefined && type in DECIMAL ? [[name, DECIMAL[type]!, type] as const] : [];
  });
  if (numeric.length === 0) return undefined;
  return (data) => {
    if (data === null || typeof data !== 'object') return undefined;
    for (const [name, re, type] of numeric) {
      const v = (data as Record<string, unknown>)[name];
      if (typeof v === 'string' && !re.test(v)) {
        return `${httpPart ?? 'querystring'}/${name} must be ${type === 'integer' ? 'a decimal integer' : 'a decimal number'}, got ${JSON.stringify(v.slice(0, 40))}`;
      }
    }
    return undefined;
  };
}

export const validatorCompiler: FastifySchemaCompiler<object> = ({ schema, httpPart }) => {
  if (httpPart === 'body') return bodyAjv.compile(schema);
  const validate = textAjv.compile(schema);
  const strict = strictNumbers(schema as TextSchema, httpPart);
  if (!strict) return validate;
  // Fastify reads `errors` off the function it was given when it answers false, as Ajv's own do.
  const checked = Object.assign(
    (data: unknown) => {
      const wrong = strict(data);
      if (wrong !== undefined) return { error: Object.assign(new Error(wrong), { statusCode: 400 }) };
      const ok = validate(data);
      checked.errors = validate.errors;
      return ok;
    },
    { errors: null as typeof validate.errors },
  );
  return checked;
};
