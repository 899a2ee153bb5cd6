import { Ajv } from 'ajv';
import type { FastifySchemaCompiler } from 'fastify';

/**
 * Request validation with two Ajv instances: bodies are JSON and must have the right types ("5" is not
 * a number), while path and query parameters are text by nature and are converted ("?k=5" is 5).
 * Unknown body fields are rejected, not silently dropped, so a typo is an error the client sees.
 */
const common = { useDefaults: true, removeAdditional: false, allErrors: false, strictTypes: false } as const;
const bodyAjv = new Ajv({ ...common, coerceTypes: false });
const textAjv = new Ajv({ ...common, coerceTypes: true });

export const validatorCompiler: FastifySchemaCompiler<object> = ({ schema, httpPart }) =>
  (httpPart === 'body' ? bodyAjv : textAjv).compile(schema);
