import { Inject } from '@nestjs/common';
import { ConfigType, registerAs } from '@nestjs/config';
import { loadConfig } from './configuration';

/** The typed configuration namespace; inject it with `@InjectAppConfig()`. */
export const appConfig = registerAs('app', () => loadConfig(process.env));
export type AppConfigType = ConfigType<typeof appConfig>;
export const InjectAppConfig = () => Inject(appConfig.KEY);
