/** `\r\n` and lone `\r` become `\n`, so every rule downstream sees one kind of line end. */
export function normaliseLineEnds(text: string): string {
  return text.replace(/\r\n?/g, '\n')
}
