/** An email as leads store the assignee's and the creator's: trimmed and lower-cased (every letter, not only ASCII). */
export const lowerEmail = (email: string | null | undefined): string | null => (email == null ? null : email.trim().toLowerCase());

/**
 * §8: the duplicate check's key of an email: the email lower-cased as above; null for no email,
 * which never matches. Leads store it (`email_key`), written with the email, so the check compares
 * keys and no database's own lower-casing takes part.
 */
export const duplicateKey = (email: string | null | undefined): string | null => (email ? lowerEmail(email) || null : null);
