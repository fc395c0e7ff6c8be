import { UserResponseDto } from './dto/user.dto';
import { Membership } from './entities/membership.entity';
import { User } from './entities/user.entity';

export type MemberRecord = Membership & { user: User };

export function toUserResponse(m: MemberRecord): UserResponseDto {
  return {
    id: m.user.id,
    email: m.user.email,
    name: m.user.name,
    role: m.role,
    active: m.active,
    primary: m.isPrimary,
    away: m.away,
    awayUntil: m.awayUntil ? m.awayUntil.toISOString() : null,
    accountId: String(m.accountId),
    createdAt: m.createdAt.toISOString(),
    updatedAt: m.updatedAt.toISOString(),
    createdBy: m.createdBy,
    updatedBy: m.updatedBy,
  };
}
