import { simpleParser } from 'mailparser'
import type { InboundMail } from './inbound-mail.ts'
import { bareAddresses, headersOfParsedMail } from './parsed-headers.ts'
import { normaliseLineEnds } from './text.ts'

/** Fields of a forward() post to a route URL ending in `mime`. */
export interface MimePost {
  fields: Readonly<Record<string, string | undefined>>
}

/** `headerLines` hold raw header bytes as latin1 text: recover UTF-8 and unfold. */
function headerPairsOf(lines: ReadonlyArray<{ line: string }>): Array<[string, string]> {
  return lines.map(({ line }) => {
    const decoded = Buffer.from(line, 'latin1').toString('utf8')
    const colon = decoded.indexOf(':')
    return [decoded.slice(0, colon).trim(), decoded.slice(colon + 1).replace(/\r?\n[ \t]+/g, ' ').trim()]
  })
}

/** Parses the raw-MIME variant of the forward() post (`body-mime`) into an {@link InboundMail}. */
export async function parseMimePost({ fields }: MimePost): Promise<InboundMail> {
  const parsed = await simpleParser(Buffer.from(fields['body-mime'] ?? '', 'utf8'), { keepCidLinks: true, skipTextLinks: true })
  const html = typeof parsed.html === 'string' ? parsed.html : null
  return {
    recipient: fields.recipient ?? '',
    recipients: bareAddresses(fields.recipient),
    sender: fields.sender ?? null,
    ...headersOfParsedMail(parsed),
    text: normaliseLineEnds(parsed.text ?? ''),
    strippedText: null,
    rawHtml: html,
    headers: headerPairsOf(parsed.headerLines),
    attachments: parsed.attachments.map((attachment) => ({
      filename: attachment.filename ?? 'attachment',
      contentType: attachment.contentType || 'application/octet-stream',
      size: attachment.size,
      content: attachment.content,
      contentId: attachment.contentId ? attachment.contentId.replace(/^<|>$/g, '') : null,
    })),
  }
}
