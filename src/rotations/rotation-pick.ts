import { LeadRotation } from './entities/lead-rotation.entity';

/**
 * Where the pointer goes: starting at `position`, the first entry of `list` that is eligible is
 * picked and the pointer moves just past it. Entries that are not eligible are skipped (they keep
 * their place in the list and are picked again once eligible).
 */
export function nextPick(
  list: readonly string[],
  position: number,
  isEligible: (email: string) => boolean,
): { pickedPosition: number; newPosition: number } | null {
  const k = list.length;
  if (k === 0) return null;
  const start = ((position % k) + k) % k;
  for (let i = 0; i < k; i++) {
    const idx = (start + i) % k;
    if (isEligible(list[idx])) return { pickedPosition: idx, newPosition: (idx + 1) % k };
  }
  return null;
}

/** What a rotation pick adds to a new lead's `lead_created` entry. */
export function assignmentData(pick: { rotationId: number; email: string | null; position: number | null }): {
  assignedTo: string | null;
  assignment: Record<string, unknown>;
} {
  return {
    assignedTo: pick.email,
    assignment: { method: pick.email ? 'rotation' : 'none', rotationId: pick.rotationId, position: pick.position },
  };
}

export interface EligibleUser {
  id: number;
  email: string;
  name: string | null;
}

/** The outcome of one pointer advance. */
export interface RotationPick {
  rotation: LeadRotation;
  /** The picked user, or null when nobody in the rotation is an active member (pointer unchanged). */
  user: EligibleUser | null;
  /** Index of the picked user (the pointer before the advance when nobody was skipped). */
  pickedPosition: number | null;
  previousPosition: number;
  newPosition: number;
}
