import { ArgumentMetadata, HttpStatus, Injectable, ValidationError, ValidationPipe } from '@nestjs/common';
import { ApiError, ErrorDetail } from '../errors/api-error';
import { validationFailed } from '../errors/validation-failed';
import { isStorableText, storableText, unstorableTextProblems } from '../validation/storable-text';
import { memoizeValidationMetadata } from './validation-metadata';

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

export interface BodyProblems {
  /** Problems that make the input unsafe to process at all (depth, prototype keys). */
  structural: ErrorDetail[];
  /** Text values no database stores as given (NUL, lone surrogates), reported with the validators' findings. */
  text: ErrorDetail[];
}

/**
 * Walks a parsed body or query without recursion: too deep, keys that could reach an object's
 * prototype (JSON.parse keeps `__proto__` as an own key), or text the databases cannot store
 * (storable-text.ts) → 400 before anything else touches the input. Text is checked here, once for
 * every DTO, because some validators throw on a lone surrogate instead of answering false.
 */
export function inspectBody(body: unknown): BodyProblems {
  const problems: BodyProblems = { structural: [], text: [] };
  const stack: { v: unknown; depth: number; path: string }[] = [{ v: body, depth: 0, path: '' }];
  while (stack.length) {
    const { v, depth, path } = stack.pop()!;
    if (typeof v === 'string') {
      if (!isStorableText(v)) {
        for (const message of unstorableTextProblems(path || 'the value', v)) problems.text.push({ field: path || '(body)', message });
      }
      continue;
    }
    if (v === null || typeof v !== 'object') continue;
    if (depth >= MAX_BODY_DEPTH) {
      problems.structural.push({ field: path || '(body)', message: `nesting deeper than ${MAX_BODY_DEPTH} levels is not allowed` });
      break;
    }
    // Pushed last to first, so problems are reported in the order of the input.
    const keys = Object.keys(v);
    for (let i = keys.length - 1; i >= 0; i--) {
      const key = keys[i];
      const field = path ? `${path}.${key}` : key;
      if (FORBIDDEN_KEYS.has(key)) problems.structural.push({ field, message: `${field} is not an allowed property` });
      else stack.push({ v: (v as Record<string, unknown>)[key], depth: depth + 1, path: field });
    }
  }
  return problems;
}

/** A copy of a parsed body or query with every string made storable, for the validators to read safely. */
function withStorableText(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value), (_key, v: unknown) => (typeof v === 'string' ? storableText(v) : v));
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
      exceptionFactory: (errors) => validationFailed(flattenValidationErrors(errors)),
    });
    memoizeValidationMetadata();
  }

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    // Path parameters stay text: converting `id: number` here would read "1e3" as 1000 and "0x10" as
    // 16. IdParamPipe parses them strictly.
    if (metadata.type === 'param') return value;
    const validatesClass =
      typeof metadata.metatype === 'function' && ![String, Boolean, Number, Array, Object].includes(metadata.metatype as never);
    if (metadata.type === 'body' && validatesClass && !isPlainObject(value)) {
      throw new ApiError(HttpStatus.BAD_REQUEST, 'Validation failed', 'The request body must be a JSON object');
    }
    if ((metadata.type === 'body' || metadata.type === 'query') && validatesClass) {
      const { structural, text } = inspectBody(value);
      if (structural.length) throw validationFailed(structural);
      if (text.length) {
        // Report unstorable text with every other problem at once; the validators read a storable
        // copy, and their findings on the fields already reported are dropped.
        const textFields = new Set(text.map((d) => d.field));
        let others: ErrorDetail[] = [];
        try {
          await super.transform(withStorableText(value), metadata);
        } catch (e) {
          const body = e instanceof ApiError ? (e.getResponse() as { details?: ErrorDetail[] }) : null;
          if (!body?.details) throw e;
          others = body.details.filter((d) => !textFields.has(d.field));
        }
        throw validationFailed([...others, ...text]);
      }
    }
    return super.transform(value, metadata);
  }
}
