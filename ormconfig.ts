import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { loadConfig } from './src/config/configuration';
import { dataSourceOptions } from './src/database/data-source-options';

/**
 * The DataSource the TypeORM CLI uses (npm run migration:*), built by the same code as the app.
 * DATABASE_URL selects PostgreSQL; otherwise DATABASE_PATH (SQLite).
 */
export default new DataSource(dataSourceOptions(loadConfig(process.env).database));
