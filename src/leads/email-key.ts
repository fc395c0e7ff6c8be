/**
 * §8: the duplicate check's key of an email: trimmed and lower-cased (every letter, not only ASCII);
 * null for no email, which never matches. Leads store it (`email_key`), written with the email, so the
 * check compares keys and no database's own lower-casing takes part.
 */
export const duplicateKey = (email: string | null | undefined): string | null => (email ? email.trim().toLowerCase() || null : null);
