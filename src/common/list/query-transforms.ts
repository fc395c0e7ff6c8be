import { Transform } from 'class-transformer';

/**
 * Query strings are text: these decorators convert them explicitly (the global pipe does no implicit
 * conversion). A value that does not convert is left as is, so the validators report it.
 */
export const QueryInt = () =>
  Transform(({ value }) => (typeof value === 'string' && /^-?\d{1,15}$/.test(value.trim()) ? Number(value) : value));

export const QueryBool = () =>
  Transform(({ value }) => {
    if (typeof value !== 'string') return value;
    const v = value.trim().toLowerCase();
    if (v === 'true' || v === '1') return true;
    if (v === 'false' || v === '0') return false;
    return value;
  });
