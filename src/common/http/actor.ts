/** Who acted, as written into audit entries and `createdBy`/`updatedBy` columns. */
export interface Actor {
  userId: number;
  email: string;
  apiKeyId: number | null;
}

/** The actor of a caller (a principal carries more than this; only these fields are recorded). */
export function actorOf(caller: Actor): Actor {
  return { userId: caller.userId, email: caller.email, apiKeyId: caller.apiKeyId };
}
