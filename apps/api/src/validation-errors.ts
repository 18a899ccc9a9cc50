/** The pattern of a text that must not be blank (`NotBlank` in schemas.ts): said as such when it fails. */
export const NOT_BLANK_PATTERN = '\\S'

/** One problem of a request, as `details` of a 400 `API_VALIDATION` lists it. */
export interface ValidationDetail {
  /** Where: the request part and the JSON pointer in it, e.g. `body/input/customer/email`. */
  path: string
  message: string
}

/** The fields of a JSON Schema validator's error (TypeBox's and Ajv's share them). */
export interface SchemaError {
  keyword: string
  schemaPath: string
  instancePath: string
  params: object
  message?: string
}

const UNION_KEYWORDS = new Set(['anyOf', 'oneOf'])

function param(error: SchemaError, name: string): unknown {
  const value: unknown = Reflect.get(error.params, name)
  return value
}

function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.map(String) : []
}

function quoted(values: readonly unknown[]): string {
  return values.map((value) => JSON.stringify(value)).join(', ')
}

/** Escapes a property name for a JSON pointer. */
function pointer(name: string): string {
  return name.replace(/~/g, '~0').replace(/\//g, '~1')
}

/** The error a schema keyword gives, reworded where the validator's words don't help a person. */
function simple(error: SchemaError): { instancePath: string; message: string }[] {
  switch (error.keyword) {
    case 'additionalProperties':
      return stringList(param(error, 'additionalProperties')).map((name) => ({
        instancePath: `${error.instancePath}/${pointer(name)}`,
        message: `unknown property "${name}"`,
      }))
    case 'required':
      return stringList(param(error, 'requiredProperties')).map((name) => ({
        instancePath: `${error.instancePath}/${pointer(name)}`,
        message: `required property "${name}" is missing`,
      }))
    case 'enum':
      return [{ instancePath: error.instancePath, message: `must be one of ${quoted(stringList(param(error, 'allowedValues')))}` }]
    case 'const':
      return [{ instancePath: error.instancePath, message: `must be ${JSON.stringify(param(error, 'allowedValue'))}` }]
    case 'pattern':
      return [{ instancePath: error.instancePath, message: param(error, 'pattern') === NOT_BLANK_PATTERN ? 'must not be blank' : (error.message ?? 'is invalid') }]
    case 'minLength':
      return [{ instancePath: error.instancePath, message: param(error, 'limit') === 1 ? 'must not be empty' : (error.message ?? 'is too short') }]
    default:
      return [{ instancePath: error.instancePath, message: error.message ?? 'is invalid' }]
  }
}

/**
 * A union branch turned away "at the door": the value is not of its type, or
 * a literal (a discriminator such as `type: 'assign_agents'`) doesn't match.
 */
function rejectedAtDoor(branchErrors: readonly SchemaError[], instancePath: string): boolean {
  return branchErrors.some(
    (error) => (error.keyword === 'type' && error.instancePath === instancePath) || error.keyword === 'const' || error.keyword === 'enum',
  )
}

/** What a branch rejected at the door expects, in words: `string`, `null`, `"team"`. */
function expectedForm(branchErrors: readonly SchemaError[], instancePath: string): string[] {
  const atDoor = branchErrors.filter((error) => error.instancePath === instancePath)
  return atDoor.flatMap((error) => {
    if (error.keyword === 'type') return [String(param(error, 'type'))]
    if (error.keyword === 'const') return [JSON.stringify(param(error, 'allowedValue'))]
    if (error.keyword === 'enum') return stringList(param(error, 'allowedValues')).map((value) => JSON.stringify(value))
    return []
  })
}

/**
 * Collapses one union (anyOf/oneOf) into what a person needs: the errors of
 * the branch the value came closest to (its type matched), or else one line
 * naming the forms it may take ("must be string or null").
 */
function collapseUnion(union: SchemaError, errors: readonly SchemaError[]): { instancePath: string; message: string }[] {
  const prefix = `${union.schemaPath}/${union.keyword}/`
  const branches = new Map<string, SchemaError[]>()
  for (const error of errors) {
    if (!error.schemaPath.startsWith(prefix)) continue
    const index = error.schemaPath.slice(prefix.length).split('/')[0] ?? ''
    branches.set(index, [...(branches.get(index) ?? []), error])
  }
  const close = [...branches.values()].filter((branch) => !rejectedAtDoor(branch, union.instancePath))
  const closest = close.sort((a, b) => a.length - b.length)[0]
  if (closest) return describe(closest)
  const forms = [...new Set([...branches.values()].flatMap((branch) => expectedForm(branch, union.instancePath)))]
  if (forms.length === 0) return [{ instancePath: union.instancePath, message: 'does not match any of the allowed forms' }]
  const last = forms.pop()
  return [{ instancePath: union.instancePath, message: `must be ${forms.length > 0 ? `${forms.join(', ')} or ${last}` : last}` }]
}

/** The errors of one schema (or union branch), unions collapsed, one message per field. */
function describe(errors: readonly SchemaError[]): { instancePath: string; message: string }[] {
  // The outermost unions first: each takes its branches' errors with it.
  const unions = errors.filter((error) => UNION_KEYWORDS.has(error.keyword)).sort((a, b) => a.schemaPath.length - b.schemaPath.length)
  const taken = new Set<SchemaError>()
  const out: { instancePath: string; message: string }[] = []
  for (const union of unions) {
    if (taken.has(union)) continue
    const inside = errors.filter((error) => error.schemaPath.startsWith(`${union.schemaPath}/${union.keyword}/`))
    for (const error of [union, ...inside]) taken.add(error)
    out.push(...collapseUnion(union, inside))
  }
  for (const error of errors) {
    if (taken.has(error)) continue
    // `additionalProperties: false` reports each extra property twice: once as "schema is false", once on its parent.
    if (error.keyword === 'boolean' && error.schemaPath.endsWith('/additionalProperties')) continue
    out.push(...simple(error))
  }
  return out
}

/**
 * Turns a validator's errors into one clear message per field, in the order
 * they came: `body/foo: unknown property "foo"` rather than "schema is false",
 * and one line per union rather than "must be null", "must match a schema in anyOf".
 */
export function validationDetails(context: string, errors: readonly SchemaError[]): ValidationDetail[] {
  const seen = new Set<string>()
  const details: ValidationDetail[] = []
  for (const { instancePath, message } of describe(errors)) {
    const path = `${context}${instancePath}`
    if (seen.has(path)) continue
    seen.add(path)
    details.push({ path, message })
  }
  return details
}
