import addressparser from 'nodemailer/lib/addressparser'
import { simpleParser, type AddressObject, type ParsedMail } from 'mailparser'
import { isMailboxAddress } from '../headers.ts'
import { normaliseMessageId, parseMessageIdList } from '../signed-ids.ts'
import type { MailAddress } from './inbound-mail.ts'

/** The header-derived fields of an inbound mail, decoded (RFC 2047 words, addresses, dates) by mailparser. */
export interface ParsedHeaders {
  from: MailAddress | null
  to: MailAddress[]
  cc: MailAddress[]
  replyTo: MailAddress[]
  subject: string
  messageId: string | null
  inReplyTo: string[]
  references: string[]
  date: Date | null
}

function flatten(value: AddressObject | AddressObject[] | undefined): MailAddress[] {
  const objects = value === undefined ? [] : Array.isArray(value) ? value : [value]
  const out: MailAddress[] = []
  for (const object of objects) {
    for (const entry of object.value) {
      for (const member of entry.group ?? [entry]) {
        // Something that isn't one mailbox (`<a@x,b@y>`) is no address we may write to.
        if (member.address && isMailboxAddress(member.address)) out.push({ name: member.name, address: member.address.toLowerCase() })
      }
    }
  }
  return out
}

/** The bare, lower-cased addresses of an address list such as Mailgun's `recipient` field. */
export function bareAddresses(list: string | null | undefined): string[] {
  if (!list) return []
  return addressparser(list, { flatten: true })
    .map((entry) => entry.address.toLowerCase())
    .filter(isMailboxAddress)
}

/** The header fields of an already parsed MIME message. */
export function headersOfParsedMail(parsed: ParsedMail): ParsedHeaders {
  const references = Array.isArray(parsed.references) ? parsed.references.join(' ') : parsed.references
  return {
    from: flatten(parsed.from)[0] ?? null,
    to: flatten(parsed.to),
    cc: flatten(parsed.cc),
    replyTo: flatten(parsed.replyTo),
    subject: parsed.subject ?? '',
    messageId: parsed.messageId ? normaliseMessageId(parsed.messageId) : null,
    inReplyTo: parseMessageIdList(parsed.inReplyTo),
    references: parseMessageIdList(references),
    date: parsed.date && !Number.isNaN(parsed.date.getTime()) ? parsed.date : null,
  }
}

/** Headers that would make mailparser look for a body we don't give it. */
const BODY_HEADERS = new Set(['content-type', 'content-transfer-encoding', 'content-disposition'])

/**
 * Decodes a forward() post's header pairs with the same parser as raw MIME, so
 * both variants agree on addresses, encoded words and dates.
 */
export async function parseHeaderPairs(pairs: ReadonlyArray<readonly [string, string]>): Promise<ParsedHeaders> {
  const block = pairs
    .filter(([name]) => /^[!-9;-~]+$/.test(name) && !BODY_HEADERS.has(name.toLowerCase()))
    .map(([name, value]) => `${name}: ${value.replace(/[\r\n]+/g, ' ')}\r\n`)
    .join('')
  const parsed = await simpleParser(Buffer.from(`${block}\r\n`, 'utf8'), { skipHtmlToText: true, skipTextToHtml: true, skipTextLinks: true })
  return headersOfParsedMail(parsed)
}
