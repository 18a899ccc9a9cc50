import { arrayProp, prop } from './config-values.ts'

/**
 * A node's config form, described from its JSON Schema (the catalog's
 * `configSchema`), so the panel renders any kind's settings without knowing it.
 */
export type FormField =
  | { kind: 'object'; fields: { key: string; required: boolean; field: FormField }[] }
  | { kind: 'array'; item: FormField; minItems: number; maxItems: number }
  | { kind: 'choice'; options: string[] }
  | { kind: 'text'; minLength: number; maxLength: number | null }
  | { kind: 'number' }
  | { kind: 'boolean' }
  | { kind: 'unknown' }

function numberProp(value: unknown, key: string, fallback: number): number {
  const found = prop(value, key)
  return typeof found === 'number' ? found : fallback
}

/**
 * The order settings read in, where it differs from the schema's: what to read
 * (category, field) before where to put it (the output variable), as in DESIGN.md §1.
 */
const FIELD_ORDER = ['category', 'field', 'variable']

function byFieldOrder(a: { key: string }, b: { key: string }): number {
  const rank = (key: string) => {
    const index = FIELD_ORDER.indexOf(key)
    return index === -1 ? FIELD_ORDER.length : index
  }
  return rank(a.key) - rank(b.key)
}

/** The form for a JSON Schema: objects, arrays, unions of constants (a choice), strings, numbers, booleans. */
export function describeSchema(schema: unknown): FormField {
  const options = arrayProp(schema, 'anyOf').map((option) => prop(option, 'const'))
  if (options.length > 0 && options.every((option) => typeof option === 'string')) {
    return { kind: 'choice', options: options.filter((option) => typeof option === 'string') }
  }
  switch (prop(schema, 'type')) {
    case 'object': {
      const properties = prop(schema, 'properties')
      const required = new Set(arrayProp(schema, 'required').filter((key) => typeof key === 'string'))
      const fields = typeof properties === 'object' && properties !== null
        ? Object.entries(properties)
            .map(([key, child]) => ({ key, required: required.has(key), field: describeSchema(child) }))
            .sort(byFieldOrder)
        : []
      return { kind: 'object', fields }
    }
    case 'array':
      return {
        kind: 'array',
        item: describeSchema(prop(schema, 'items')),
        minItems: numberProp(schema, 'minItems', 0),
        maxItems: numberProp(schema, 'maxItems', Number.POSITIVE_INFINITY),
      }
    case 'string': {
      const maxLength = prop(schema, 'maxLength')
      return { kind: 'text', minLength: numberProp(schema, 'minLength', 0), maxLength: typeof maxLength === 'number' ? maxLength : null }
    }
    case 'number':
    case 'integer':
      return { kind: 'number' }
    case 'boolean':
      return { kind: 'boolean' }
    default:
      return { kind: 'unknown' }
  }
}

/** A fresh value for a field: what "Add" puts in a list. Optional object properties stay out. */
export function defaultValue(field: FormField): unknown {
  switch (field.kind) {
    case 'object':
      return Object.fromEntries(field.fields.filter((f) => f.required).map((f) => [f.key, defaultValue(f.field)]))
    case 'array':
      return Array.from({ length: field.minItems }, () => defaultValue(field.item))
    case 'choice':
      return field.options[0] ?? ''
    case 'text':
      return ''
    case 'number':
      return 0
    case 'boolean':
      return false
    case 'unknown':
      return null
  }
}

/** A path into a config: property names and list indexes. */
export type FieldPath = readonly (string | number)[]

/**
 * `value` with `path` set to `next` (undefined removes an object property);
 * the input is not mutated, untouched branches are shared.
 */
export function setAt(value: unknown, path: FieldPath, next: unknown): unknown {
  const [head, ...rest] = path
  if (head === undefined) return next
  if (typeof head === 'number') {
    const list = Array.isArray(value) ? [...value] : []
    list[head] = setAt(list[head], rest, next)
    return list
  }
  const object: Record<string, unknown> = typeof value === 'object' && value !== null && !Array.isArray(value) ? { ...value } : {}
  const child = setAt(object[head], rest, next)
  if (child === undefined) delete object[head]
  else object[head] = child
  return object
}

/** `value` at `path`, or undefined. */
export function getAt(value: unknown, path: FieldPath): unknown {
  return path.reduce<unknown>((current, key) => (typeof key === 'number' ? (Array.isArray(current) ? current[key] : undefined) : prop(current, key)), value)
}
