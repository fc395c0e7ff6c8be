/** The parts of an OpenAPI 3.0 schema the document uses. */
export interface SchemaNode {
  $ref?: string;
  type?: string;
  format?: string;
  nullable?: boolean;
  enum?: unknown[];
  required?: string[];
  properties?: Record<string, SchemaNode>;
  additionalProperties?: boolean | SchemaNode;
  items?: SchemaNode;
  allOf?: SchemaNode[];
  anyOf?: SchemaNode[];
  oneOf?: SchemaNode[];
}

export interface OpenApiDoc {
  paths: Record<string, Record<string, { responses?: Record<string, { content?: Record<string, { schema?: SchemaNode }> }> }>>;
  components: { schemas: Record<string, SchemaNode> };
}

const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/**
 * What in `value` the schema does not say, read strictly: a property the schema does not declare is
 * a problem unless `additionalProperties` allows it (a response schema must name everything sent),
 * a missing required property, null where the schema is not nullable, a value outside an enum or of
 * another type or format.
 */
export function conformanceProblems(doc: OpenApiDoc, schema: SchemaNode, value: unknown, at = '$'): string[] {
  if (schema.$ref) {
    const target = doc.components.schemas[schema.$ref.replace('#/components/schemas/', '')];
    return target ? conformanceProblems(doc, target, value, at) : [`${at}: unresolved ${schema.$ref}`];
  }
  if (value === null) return schema.nullable ? [] : [`${at}: null, but the schema is not nullable`];
  const problems: string[] = [];
  for (const part of schema.allOf ?? []) problems.push(...conformanceProblems(doc, part, value, at));
  for (const [keyword, parts] of [
    ['anyOf', schema.anyOf],
    ['oneOf', schema.oneOf],
  ] as const) {
    if (!parts) continue;
    const matching = parts.filter((p) => conformanceProblems(doc, p, value, at).length === 0).length;
    if (matching === 0 || (keyword === 'oneOf' && matching > 1)) problems.push(`${at}: ${matching} of the ${keyword} alternatives match`);
  }
  if (schema.enum && !schema.enum.includes(value)) problems.push(`${at}: ${JSON.stringify(value)} is not one of the enum`);
  switch (schema.type) {
    case undefined:
      break;
    case 'integer':
      if (!Number.isInteger(value)) problems.push(`${at}: ${JSON.stringify(value)} is not an integer`);
      break;
    case 'array':
      if (!Array.isArray(value)) problems.push(`${at}: not an array`);
      else if (schema.items) value.forEach((v, i) => problems.push(...conformanceProblems(doc, schema.items!, v, `${at}[${i}]`)));
      break;
    case 'object': {
      if (typeof value !== 'object' || Array.isArray(value)) {
        problems.push(`${at}: not an object`);
        break;
      }
      const record = value as Record<string, unknown>;
      for (const name of schema.required ?? []) if (record[name] === undefined) problems.push(`${at}.${name}: required, not sent`);
      for (const [name, v] of Object.entries(record)) {
        const declared = schema.properties?.[name];
        if (declared) problems.push(...conformanceProblems(doc, declared, v, `${at}.${name}`));
        else if (typeof schema.additionalProperties === 'object')
          problems.push(...conformanceProblems(doc, schema.additionalProperties, v, `${at}.${name}`));
        else if (schema.additionalProperties !== true && !schema.allOf && !schema.anyOf && !schema.oneOf)
          problems.push(`${at}.${name}: sent, not in the schema`);
      }
      break;
    }
    default:
      if (typeof value !== schema.type) problems.push(`${at}: ${JSON.stringify(value)} is not a ${schema.type}`);
  }
  if (schema.format === 'date-time' && typeof value === 'string' && !(ISO_DATE_TIME.test(value) && !Number.isNaN(Date.parse(value)))) {
    problems.push(`${at}: ${value} is not a date-time`);
  }
  return problems;
}

/** The document's JSON schema of the answer `status` to `method` on `pathname` (a concrete path), if it names one. */
export function responseSchema(doc: OpenApiDoc, method: string, pathname: string, status: number): SchemaNode | undefined {
  for (const [template, item] of Object.entries(doc.paths)) {
    const pattern = new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`);
    if (!pattern.test(pathname)) continue;
    const op = item[method.toLowerCase()];
    if (op) return op.responses?.[String(status)]?.content?.['application/json']?.schema;
  }
  return undefined;
}
