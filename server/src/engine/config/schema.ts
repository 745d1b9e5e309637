import type { ErrorObject } from 'ajv';
import schemaJson from './kube-routes.schema.json';
import validateGenerated from './validate-config.generated';

/** The JSON Schema of kube-routes.yaml, shipped for editors and used to validate the shape. */
export const configSchema: Readonly<Record<string, unknown>> = schemaJson;

/** ajv's validator for the schema, compiled at build time (scripts/generate-config-validator.mjs). */
const validator = validateGenerated as ((value: unknown) => boolean) & { errors?: ErrorObject[] | null };

/** Shape errors of a parsed config, as JSON-pointer paths plus ajv's error objects. */
export function validateConfigShape(value: unknown): readonly ErrorObject[] {
  if (validator(value)) return [];
  // A bad property name also fails the pattern inside propertyNames; report it once.
  return (validator.errors ?? []).filter((e) => !e.schemaPath.includes('/propertyNames/'));
}

export type { ErrorObject };
