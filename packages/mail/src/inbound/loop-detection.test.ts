import { describe, expect, it } from 'vitest'
import { buildForwardPost, type MailDescription } from '../testing/mailgun-posts.ts'
import { detectAutomated, type AutomatedReason } from './loop-detection.ts'
import { parseForwardPost } from './parse-forward-post.ts'

// Issue 5, "Loops": each marker of an automatic mail on its own, on an otherwise ordinary customer mail.

const own = { addresses: ['support@acme.example'], secret: 'id-secret' }

function mail(overrides: Partial<MailDescription> = {}) {
  const description: MailDescription = { from: 'Jane Doe <jane@customer.example>', to: 'support@acme.example', subject: 'Order 42', text: 'Where is my order?', ...overrides }
  return parseForwardPost(buildForwardPost(description, { signingKey: 'k' }))
}

describe('detectAutomated, one marker at a time', () => {
  it('lets the same mail through without a marker, and with markers that say "a person wrote this"', async () => {
    expect(detectAutomated(await mail(), own)).toBeNull()
    expect(detectAutomated(await mail({ headers: { 'Auto-Submitted': 'no' } }), own)).toBeNull()
    expect(detectAutomated(await mail({ headers: { 'Auto-Submitted': ' No ' } }), own)).toBeNull()
    expect(detectAutomated(await mail({ headers: { Precedence: 'normal' } }), own)).toBeNull()
    // Names that merely contain a system word are people.
    expect(detectAutomated(await mail({ from: 'Post Master <postmasters.fan@customer.example>' }), own)).toBeNull()
  })

  it.each<[string, Record<string, string>, AutomatedReason]>([
    ['X-Autorespond', { 'X-Autorespond': 'Out of office' }, 'auto-reply-header'],
    ['X-Autorespond, empty', { 'X-Autorespond': '' }, 'auto-reply-header'],
    ['X-Auto-Response-Suppress', { 'X-Auto-Response-Suppress': 'All' }, 'auto-reply-header'],
    ['X-Auto-Response-Suppress, lower-case name', { 'x-auto-response-suppress': 'DR, OOF, AutoReply' }, 'auto-reply-header'],
    ['Precedence: junk', { Precedence: 'junk' }, 'precedence'],
    ['Precedence: list', { Precedence: 'list' }, 'precedence'],
    ['Precedence: auto_reply', { Precedence: 'auto_reply' }, 'precedence'],
    ['Precedence: LIST, upper case', { Precedence: 'LIST' }, 'precedence'],
  ])('recognises %s', async (_name, headers, reason) => {
    expect(detectAutomated(await mail({ headers }), own)).toBe(reason)
  })

  it.each([
    ['mailer-daemon@', 'MAILER-DAEMON@mx.customer.example'],
    ['mailer-daemon@, lower case', 'mailer-daemon@googlemail.com'],
    ['postmaster@', 'postmaster@customer.example'],
    ['postmaster@, with a name', 'Mail Delivery System <Postmaster@customer.example>'],
  ])('recognises a %s sender in From', async (_name, from) => {
    expect(detectAutomated(await mail({ from }), own)).toBe('system-sender')
  })

  it('recognises mailer-daemon@ and postmaster@ as the SMTP sender alone', async () => {
    expect(detectAutomated(await mail({ sender: 'MAILER-DAEMON@mx.customer.example' }), own)).toBe('system-sender')
    expect(detectAutomated(await mail({ sender: 'postmaster@customer.example' }), own)).toBe('system-sender')
  })
})
