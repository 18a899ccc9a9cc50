/** Reading node configs, which the definition types only as `Record<string, unknown>`. */

/** A property of an unknown value, or undefined when it has none. */
export function prop(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null ? Reflect.get(value, key) : undefined
}

/** A string property, or '' when it is missing or not a string. */
export function stringProp(value: unknown, key: string): string {
  const found = prop(value, key)
  return typeof found === 'string' ? found : ''
}

/** An array property, or [] when it is missing or not an array. */
export function arrayProp(value: unknown, key: string): unknown[] {
  const found = prop(value, key)
  return Array.isArray(found) ? found : []
}
