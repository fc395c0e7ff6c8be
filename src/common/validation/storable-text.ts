/**
 * Whether both databases store `text` exactly as given. PostgreSQL refuses U+0000 in text and fails
 * the statement; a lone UTF-16 surrogate has no UTF-8 form, so the driver silently stores U+FFFD
 * instead, while SQLite keeps it as is. Either way the two databases would disagree.
 */
export function isStorableText(text: string): boolean {
  return !text.includes('\u0000') && text.isWellFormed();
}

/** What is wrong with `text` at `field`, one message per problem; empty when it is storable. */
export function unstorableTextProblems(field: string, text: string): string[] {
  const problems: string[] = [];
  if (text.includes('\u0000')) problems.push(`${field} must not contain NUL characters`);
  if (!text.isWellFormed()) problems.push(`${field} must not contain unpaired UTF-16 surrogates`);
  return problems;
}

/** `text` made storable: NUL and lone surrogates become U+FFFD (the same string when it already is). */
export function storableText(text: string): string {
  return isStorableText(text) ? text : text.toWellFormed().replaceAll('\u0000', '\uFFFD');
}
