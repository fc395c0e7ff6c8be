import { ArgumentMetadata, HttpStatus, Injectable, ValidationError, ValidationPipe } from '@nestjs/common';
import { ApiError, ErrorDetail } from '../errors/api-error';

/** Flattens class-validator's tree into `[{field, message}]`, one entry per problem. */
export function flattenValidationErrors(errors: ValidationError[], parent = ''): ErrorDetail[] {
  const out: ErrorDetail[] = [];
  for (const e of errors) {
    const field = parent ? `${parent}.${e.property}` : e.property;
    for (const [rule, message] of Object.entries(e.constraints ?? {})) {
      if (rule === 'whitelistValidation') out.push({ field, message: `${field} is not an allowed property` });
      else out.push({ field, message });
    }
    if (e.children?.length) out.push(...flattenValidationErrors(e.children, field));
  }
  return out;
}

/** Deeper bodies are refused before any recursive processing (class-transformer recurses per level). */
export const MAX_BODY_DEPTH = 32;
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * Walks a parsed body without recursion: too deep, or keys that could reach an object's prototype
 * (JSON.parse keeps `__proto__` as an own key) → 400 before anything else touches the body.
 */
export function inspectBody(body: unknown): ErrorDetail[] {
  const problems: ErrorDetail[] = [];
  const stack: { v: unknown; depth: number; path: string }[] = [{ v: body, depth: 0, path: '' }];
  while (stack.length) {
    const { v, depth, path } = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (depth >= MAX_BODY_DEPTH) {
      problems.push({ field: path || '(body)', message: `nesting deeper than ${MAX_BODY_DEPTH} levels is not allowed` });
      break;
    }
    for (const key of Object.keys(v)) {
      const field = path ? `${path}.${key}` : key;
      if (FORBIDDEN_KEYS.has(key)) problems.push({ field, message: `${field} is not an allowed property` });
      else stack.push({ v: (v as Record<string, unknown>)[key], depth: depth + 1, path: field });
    }
  }
  return problems;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/**
 * The global validation pipe: unknown properties are rejected by name, every problem is reported at
 * once, and no implicit type conversion happens (query DTOs convert explicitly with @QueryInt and
 * friends). A body must be a JSON object.
 */
@Injectable()
export class ApiValidationPipe extends ValidationPipe {
  constructor() {
    super({
      whitelist: true,
      forbidNonWhitelisted: true,
      forbidUnknownValues: true,
      transform: true,
      transformOptions: { enableImplicitConversion: false },
      validationError: { target: false, value: false },
      stopAtFirstError: false,
      exceptionFactory: (errors) => {
        const details = flattenValidationErrors(errors);
        return new ApiError(
          HttpStatus.BAD_REQUEST,
          'Validation failed',
          details.length === 1 ? details[0].message : `${details.length} problems were found in the request`,
          details,
        );
      },
    });
  }

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    const validatesClass = typeof metadata.metatype === 'function' && ![String, Boolean, Number, Array, Object].includes(metadata.metatype as never);
    if (metadata.type === 'body' && validatesClass && !isPlainObject(value)) {
      throw new ApiError(HttpStatus.BAD_REQUEST, 'Validation failed', 'The request body must be a JSON object');
    }
    if (metadata.type === 'body' && validatesClass) {
      const problems = inspectBody(value);
      if (problems.length) {
        throw new ApiError(
          HttpStatus.BAD_REQUEST,
          'Validation failed',
          problems.length === 1 ? problems[0].message : `${problems.length} problems were found in the request`,
          problems,
        );
      }
    }
    return super.transform(value, metadata);
  }
}
