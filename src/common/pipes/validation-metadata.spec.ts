import { getMetadataStorage, IsInt, IsString, registerDecorator, validate } from 'class-validator';
import { memoizeValidationMetadata } from './validation-metadata';

class Base {
  @IsString()
  name!: unknown;
}

class Child extends Base {
  @IsInt()
  size!: unknown;
}

const problems = async (o: object) => (await validate(o)).map((e) => [e.property, Object.keys(e.constraints ?? {}).sort()]);
const make = <T extends object>(cls: new () => T, values: Record<string, unknown>): T => Object.assign(new cls(), values);

describe('memoizeValidationMetadata', () => {
  beforeAll(() => memoizeValidationMetadata());

  it('answers a class with the rules class-validator finds, inherited ones included, the same array each time', async () => {
    const storage = getMetadataStorage();
    const first = storage.getTargetValidationMetadatas(Child, '', false, false);
    expect(first.map((m) => m.propertyName).sort()).toEqual(['name', 'size']);
    expect(storage.getTargetValidationMetadatas(Child, '', false, false)).toBe(first);
    expect(storage.groupByPropertyName(first)).toBe(storage.groupByPropertyName(first));
    expect(Object.keys(storage.groupByPropertyName(first)).sort()).toEqual(['name', 'size']);

    await expect(problems(make(Child, { name: 1, size: 'x' }))).resolves.toEqual([
      ['size', ['isInt']],
      ['name', ['isString']],
    ]);
    await expect(problems(make(Child, { name: 'a', size: 2 }))).resolves.toEqual([]);
  });

  it('keeps the options apart: another "always" is another answer', () => {
    const storage = getMetadataStorage();
    expect(storage.getTargetValidationMetadatas(Base, '', true, false)).not.toBe(
      storage.getTargetValidationMetadatas(Base, '', false, false),
    );
  });

  it('sees a rule registered after the class was validated', async () => {
    class Late {
      @IsString()
      code!: unknown;
    }
    await expect(problems(make(Late, { code: 'abc' }))).resolves.toEqual([]);
    registerDecorator({
      name: 'isUpperCaseCode',
      target: Late,
      propertyName: 'code',
      validator: { validate: (v: unknown) => typeof v === 'string' && v === v.toUpperCase() },
    });
    await expect(problems(make(Late, { code: 'abc' }))).resolves.toEqual([['code', ['isUpperCaseCode']]]);
  });

  it('installs itself once however often it is called', () => {
    const storage = getMetadataStorage();
    const installed = storage.getTargetValidationMetadatas;
    memoizeValidationMetadata();
    expect(storage.getTargetValidationMetadatas).toBe(installed);
  });
});
