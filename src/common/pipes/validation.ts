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
    return super.transform(value, metadata);
  }
}
