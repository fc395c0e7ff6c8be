import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { appConfig, AppConfigType } from '../config/app-config';
import { dataSourceOptions } from './data-source-options';
import { bindIntegerParameters } from './sqlite-parameters';
import { TransactionService } from './transaction.service';

@Global()
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [appConfig.KEY],
      useFactory: (config: AppConfigType) => ({
        ...dataSourceOptions(config.database),
        migrationsRun: true,
        // Start-up fails fast with one clear line when the database is unreachable (see main.ts).
        retryAttempts: 2,
        retryDelay: 1000,
        verboseRetryLog: false,
        logging: false,
      }),
      dataSourceFactory: async (options) => bindIntegerParameters(new DataSource(options!)).initialize(),
    }),
  ],
  providers: [TransactionService],
  exports: [TransactionService],
})
export class DatabaseModule {}
