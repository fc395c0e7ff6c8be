import { isISO8601, ValidateBy, ValidationOptions } from 'class-validator';

/** RFC 3339 date-time: a time and an explicit zone, so the instant never depends on the server's zone. */
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/i;

/** The end of the sentence "<field> …" for a value that is not a date-time with a zone. */
export const DATE_TIME_PROBLEM = 'must be an ISO 8601 date-time with a time zone, e.g. 2024-05-01T14:30:00Z';

/** Whether `value` is an ISO 8601 date-time with a time zone (`2024-05-01T14:30:00Z`, `…+02:00`) naming a real instant. */
export function isDateTimeWithZone(value: unknown): value is string {
  return typeof value === 'string' && DATE_TIME.test(value) && isISO8601(value, { strict: true }) && !Number.isNaN(Date.parse(value));
}

/** class-validator form of `isDateTimeWithZone` (null and undefined are for `@IsOptional()` to decide). */
export const IsDateTimeWithZone = (options?: ValidationOptions) =>
  ValidateBy(
    {
      name: 'isDateTimeWithZone',
      validator: { validate: (value) => isDateTimeWithZone(value), defaultMessage: (args) => `${args?.property} ${DATE_TIME_PROBLEM}` },
    },
    options,
  );
