import EmailReplyParser from 'email-reply-parser'
import { REPLY_SEPARATOR } from '../compose.ts'
import { normaliseLineEnds } from './text.ts'

/**
 * Quote stripping: email-reply-parser knows Gmail/Apple "On … wrote:", Outlook
 * "From: Name <addr>", "-----Original Message-----", `>` quotes, signatures and
 * 163/126's "在 … 写道：". On top of it we cut at lines it misses: our own reply
 * separator, QQ Mail / Foxmail / 163 "原始邮件" and "Original" banners, Chinese
 * Gmail and Apple Mail headers ("… 于2024年1月1日 … 写道："), and Outlook header
 * blocks whose From: line has no address (English and Chinese).
 */

/** `nbsp` and full-width spaces appear in Chinese clients' banners; treat them as spaces. */
function plain(line: string): string {
  return line.replace(/[\u00a0\u3000]|&nbsp;/g, ' ').replace(/^[>\s]+/, '').trim()
}

const SEPARATOR_MARK = REPLY_SEPARATOR.slice(0, REPLY_SEPARATOR.indexOf('/')).trim()

/** Lines that start the quoted part on their own. */
const CUT_LINES: readonly RegExp[] = [
  // QQ Mail / Foxmail / 163: "------------------ 原始邮件 ------------------", "----- Original -----"
  /^-{2,}\s*(原始邮件|原始郵件|Original)\s*-{2,}$/i,
  /^-{2,}\s*(Original Message|Forwarded message|转发的邮件|轉寄郵件)\s*-{2,}$/i,
  // Gmail (zh-CN): "Support <support@example.com> 于2024年1月1日周一 10:00写道："
  /^.+于\s*\d{4}\s*年.*写道\s*[：:]$/,
  // Apple Mail (zh-CN): "2024年1月1日 10:00，Support <support@example.com> 写道："
  /^\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日.*写道\s*[：:]$/,
  // 163/126 and others: "在 2024-01-01 10:00:00，"Support" <support@example.com> 写道："
  /^在\s*.*(\d{4}|@).*写道\s*[：:]$/,
]

/** First line of an Outlook header block, confirmed by a Sent/Date line just below it. */
const BLOCK_START = /^(From|发件人|寄件者)\s*[：:]/i
const BLOCK_NEXT = /^(Sent|Date|To|Subject|发送时间|发件时间|时间|日期|收件人|主题|寄件日期|收件者)\s*[：:]/i

function isCutLine(lines: readonly string[], index: number): boolean {
  const line = plain(lines[index] ?? '')
  if (line.includes(SEPARATOR_MARK)) return true
  if (CUT_LINES.some((rule) => rule.test(line))) return true
  if (BLOCK_START.test(line)) {
    const next = lines.slice(index + 1, index + 4).map(plain).filter((candidate) => candidate !== '')
    return next.length > 0 && BLOCK_NEXT.test(next[0] ?? '')
  }
  return false
}

/** The text above the first line that starts a quote by our extra rules (the whole text when none does). */
export function cutAtQuoteHeader(text: string): string {
  const lines = normaliseLineEnds(text).split('\n')
  const cut = lines.findIndex((_, index) => isCutLine(lines, index))
  return cut < 0 ? lines.join('\n') : lines.slice(0, cut).join('\n')
}

/** The new text of a reply: quoted history and signature removed. Never empty when the mail had text. */
export function stripQuotedReply(text: string): string {
  const head = cutAtQuoteHeader(text)
  const reply = new EmailReplyParser().parseReply(head).trim()
  return reply || head.trim() || normaliseLineEnds(text).trim()
}

/**
 * The content to show for an inbound mail: Mailgun's `stripped-text` when it
 * stripped something (still cut at the quote headers it doesn't know), else our
 * own stripping of the full text.
 */
export function extractReplyContent({ text, strippedText }: { text: string; strippedText: string | null }): string {
  if (strippedText !== null && strippedText.trim() !== '' && normaliseLineEnds(strippedText).trim() !== normaliseLineEnds(text).trim()) {
    return cutAtQuoteHeader(strippedText).trim() || strippedText.trim()
  }
  return stripQuotedReply(text)
}
