import type { FastifyReply, FastifyRequest } from 'fastify'
import { timingSafeEqual } from 'node:crypto'

/** Whether an `Authorization` header is HTTP Basic `api:<key>`, as Mailgun requires. */
export function isMailgunAuth(header: string | undefined, apiKey: string): boolean {
  const match = /^Basic\s+(\S+)$/i.exec(header ?? '')
  if (!match?.[1]) return false
  const given = Buffer.from(Buffer.from(match[1], 'base64').toString('utf8'))
  const expected = Buffer.from(`api:${apiKey}`)
  return given.length === expected.length && timingSafeEqual(given, expected)
}

/** An onRequest hook answering 401 with Mailgun's plain-text "Forbidden" unless the key matches. */
export function requireApiKey(apiKey: string) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    if (isMailgunAuth(request.headers.authorization, apiKey)) return
    await reply.code(401).type('text/plain; charset=utf-8').send('Forbidden')
  }
}
