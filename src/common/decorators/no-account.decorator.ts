import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiExtension } from '@nestjs/swagger';

export const NO_ACCOUNT = 'leads:noAccount';
/** The route is authenticated but not account-scoped: no x-account-id header is required. */
export const NoAccount = () => applyDecorators(SetMetadata(NO_ACCOUNT, true), ApiExtension('x-no-account', true));
