import Ajv, { type ErrorObject } from 'ajv';
import schemaJson from './kube-routes.schema.json';

/** The JSON Schema of kube-routes.yaml, shipped for editors and used to validate the shape. */
export const configSchema: Readonly<Record<string, unknown>> = schemaJson;

let validator: ReturnType<Ajv['compile']> | undefined;

/** Shape errors of a parsed config, as JSON-pointer paths plus ajv's error objects. */
export function validateConfigShape(value: unknown): readonly ErrorObject[] {
  validator ??= new Ajv({ allErrors: true, strict: true, verbose: true }).compile(schemaJson);
  if (validator(value)) return [];
  // A bad property name also fails the pattern inside propertyNames; report it once.
  return (validator.errors ?? []).filter((e) => !e.schemaPath.includes('/propertyNames/'));
}

export type { ErrorObject };
