import { normalizeEmail } from '../common/email';

/**
 * §8: the duplicate check's key of an email: the email normalized as every email is; null for no
 * email, which never matches. Leads store it (`email_key`), written with the email, so the check
 * compares keys and no database's own lower-casing takes part.
 */
export const duplicateKey = (email: string | null | undefined): string | null => (email ? normalizeEmail(email) || null : null);
