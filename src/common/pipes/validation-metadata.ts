import { getMetadataStorage } from 'class-validator';
import type { ValidationMetadata } from 'class-validator/types/metadata/ValidationMetadata';

type Storage = ReturnType<typeof getMetadataStorage>;
type Grouped = Record<string, ValidationMetadata[]>;

const MEMOIZED = Symbol('leads-api.validationMetadataMemo');

/**
 * class-validator derives a class's rules again on every `validate()`: it filters that class's rules
 * and walks the rules of EVERY decorated class of the application for inherited ones, then groups
 * the result by property. Rules are registered by decorators when a class is defined, so between
 * two registrations the answer for a class never changes. This remembers it per (class, schema,
 * always, strictGroups, groups), and forgets everything whenever a rule is registered, so a class
 * defined later is seen as class-validator would see it. The arrays handed out are shared: the
 * validator only reads them. Installed once per process on the global storage that
 * `@nestjs/common`'s ValidationPipe also uses.
 */
export function memoizeValidationMetadata(storage: Storage = getMetadataStorage()): void {
  const s = storage as Storage & { [MEMOIZED]?: true };
  if (s[MEMOIZED]) return;
  s[MEMOIZED] = true;

  let targets = new Map<string, WeakMap<object, ValidationMetadata[]>>();
  let grouped = new WeakMap<ValidationMetadata[], Grouped>();
  const forget = () => {
    targets = new Map();
    grouped = new WeakMap();
  };

  const add = s.addValidationMetadata.bind(s);
  s.addValidationMetadata = (metadata: ValidationMetadata) => {
    forget();
    add(metadata);
  };

  const find = s.getTargetValidationMetadatas.bind(s);
  s.getTargetValidationMetadatas = (target, schema, always, strictGroups, groups) => {
    const key = JSON.stringify([schema ?? null, always, strictGroups, groups ?? null]);
    let perTarget = targets.get(key);
    if (!perTarget) targets.set(key, (perTarget = new WeakMap()));
    let found = perTarget.get(target);
    if (!found) perTarget.set(target, (found = find(target, schema, always, strictGroups, groups)));
    return found;
  };

  const group = s.groupByPropertyName.bind(s);
  s.groupByPropertyName = (metadata: ValidationMetadata[]) => {
    let g = grouped.get(metadata);
    if (!g) grouped.set(metadata, (g = group(metadata)));
    return g;
  };
}
