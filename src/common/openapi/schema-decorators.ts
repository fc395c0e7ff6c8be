import { ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';
import type { ApiPropertyOptions, ApiSchemaOptions } from '@nestjs/swagger';

/**
 * Schema-level keywords for a DTO's component. @nestjs/swagger copies whatever ApiSchema is given
 * into the component (its options are typed with `name` and `description` only).
 */
function SchemaKeywords(keywords: { description?: string; additionalProperties?: boolean; oneOf?: { $ref: string }[] }): ClassDecorator {
  const options: ApiSchemaOptions & typeof keywords = keywords;
  return ApiSchema(options);
}

/**
 * A request body whose unknown properties are refused: the global ApiValidationPipe runs with
 * `whitelist` and `forbidNonWhitelisted`, so `additionalProperties: false` is what the server enforces.
 * Takes the schema's description too: only the last ApiSchema of a class counts.
 */
export const ClosedBody = (description?: string): ClassDecorator => SchemaKeywords({ description, additionalProperties: false });

/** A body that is exactly one of `shapes` (each a closed schema of its own). */
export const OneOfBody = (...shapes: { $ref: string }[]): ClassDecorator => SchemaKeywords({ oneOf: shapes });

/**
 * The `sort` query parameter of a list: comma-separated fields, each optionally prefixed with `-`.
 * Declared as an array serialized `style: form, explode: false` (`sort=-createdAt,name`), the wire
 * format parseSort reads, so generated clients type every key. `fields` must be the list's
 * ListSpec.sortable keys (test/openapi.e2e-spec.ts compares them with the server's answer).
 */
export function SortQuery(fields: readonly string[], defaultSort: string): PropertyDecorator {
  const options: ApiPropertyOptions & { style: 'form'; explode: false } = {
    description: `Fields to sort by, comma-separated; a \`-\` prefix sorts descending. Default \`${defaultSort}\`.`,
    type: 'array',
    items: { type: 'string', enum: fields.flatMap((f) => [f, `-${f}`]) },
    style: 'form',
    explode: false,
  };
  return ApiPropertyOptional(options);
}
