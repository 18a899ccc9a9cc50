/** Small helpers for writing header values safely: no CR/LF can reach a header (header injection). */

/** A header value on one line: line breaks and control characters become spaces. */
export function headerValue(value: string): string {
  // eslint-disable-next-line no-control-regex
  return value.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim()
}

/**
 * Whether `address` is one bare mailbox, `local@domain`: no display name, no
 * list, no spaces, brackets or quotes. Addresses from a mail's headers become
 * customers' addresses, and `<a@x.example,b@y.example>` would otherwise make a
 * stranger a second recipient of every answer.
 */
export function isMailboxAddress(address: string): boolean {
  // eslint-disable-next-line no-control-regex
  return /^[^\s@,;:<>()[\]"\\\u0000-\u001f\u007f]+@[^\s@,;:<>()[\]"\\\u0000-\u001f\u007f]+$/.test(address)
}

/** `"Display Name" <address>`, or the bare address when there is no name. */
export function formatAddress(name: string | null | undefined, address: string): string {
  const cleanAddress = headerValue(address)
  const cleanName = name ? headerValue(name) : ''
  if (cleanName === '') return cleanAddress
  return `"${cleanName.replace(/["\\]/g, '\\$&')}" <${cleanAddress}>`
}

/** Header `References` as RFC 5322 suggests when it grows: the first id and the most recent ones. */
export function referencesHeader(ids: readonly string[], max = 20): string {
  const unique = [...new Set(ids)]
  const kept = unique.length <= max ? unique : [unique[0] ?? '', ...unique.slice(unique.length - (max - 1))]
  return kept.join(' ')
}

/** `Re: subject`, unless the subject already is a reply (English or Chinese clients). */
export function replySubject(subject: string | null | undefined): string {
  const clean = headerValue(subject ?? '')
  if (clean === '') return 'Re: (no subject)'
  return /^(re|aw|sv|回复|答复|回覆)\s*[:：]/i.test(clean) ? clean : `Re: ${clean}`
}
