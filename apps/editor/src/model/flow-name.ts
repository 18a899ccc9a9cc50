/**
 * The API's limits on a flow name (apps/api `SafeName`: 1–120 characters, one
 * plain line without `<`, `>` or control characters), checked in the forms first
 * so a user reads what is wrong instead of the API's bare "Check: name".
 */
export const FLOW_NAME_MAX = 120

// The API's PLAIN_LINE_PATTERN, character by character: finding control characters is the point.
// eslint-disable-next-line no-control-regex
const NOT_PLAIN = /[<>\u0000-\u001f\u007f]/

/** What is wrong with a (trimmed) flow name, as an i18n key under `flows.form`, or null when the API will take it. */
export type FlowNameProblem = 'nameRequired' | 'nameTooLong' | 'nameCharacters'

export function flowNameProblem(name: string): FlowNameProblem | null {
  const trimmed = name.trim()
  if (trimmed === '') return 'nameRequired'
  // JSON Schema's maxLength counts code points, not UTF-16 units.
  if ([...trimmed].length > FLOW_NAME_MAX) return 'nameTooLong'
  if (NOT_PLAIN.test(trimmed)) return 'nameCharacters'
  return null
}
