/** Longest time zone name the `accounts.time_zone` column stores. */
export const TIME_ZONE_MAX_LENGTH = 64;

/**
 * Whether `name` is an IANA time zone name, as `Intl` knows them: any case (`europe/berlin`), links
 * included (`US/Eastern`, `GMT`). UTC offsets (`+02:00`) are not names and carry no daylight-saving
 * rules; Intl accepts them from Node 22 on, so they are refused here by their sign.
 */
export function isTimeZoneName(name: string): boolean {
  if (name.length === 0 || name.length > TIME_ZONE_MAX_LENGTH || /^[+-]/.test(name)) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}
