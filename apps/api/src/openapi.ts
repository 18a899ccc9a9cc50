import type { FastifySchema, RouteOptions } from 'fastify'

/** Paths of the API's own plumbing: the workers' surface and the dev mailbox, never part of the public document. */
const INTERNAL_PATHS = ['/internal/', '/dev/']

/** The tags of the public document, in the order the docs page lists them. */
export const OPENAPI_TAGS = [
  { name: 'auth', description: 'Log in (session cookie), log out, change your password.' },
  { name: 'api-keys', description: 'Keys for `Authorization: Bearer`: create one while logged in (`POST /api/v1/api-keys`); it is shown once.' },
  { name: 'flows', description: 'Message flows: drafts, immutable versions (publish, rollback, diff), enable/disable, export and import.' },
  { name: 'runs', description: 'Runs of flows: start (or dry-run), list, inspect steps and effects, retry.' },
  { name: 'conversations', description: 'The inbox: conversations, their messages and attachments, answers to customers, assignment.' },
  { name: 'customers', description: 'Customers and their custom fields.' },
  { name: 'agents', description: 'Agents who receive and answer customer messages, and their online status.' },
  { name: 'settings', description: 'Settings → Customer offline message handling → EMAIL.' },
  { name: 'suppressions', description: 'Addresses no automated mail goes to (hard bounces, complaints, unsubscribes).' },
  { name: 'webhooks', description: "Mailgun's posts to Replyflow. Authenticated by Mailgun's signature, not by a session or API key." },
  { name: 'health', description: 'Liveness and readiness probes.' },
]

/**
 * Shapes each route's entry in the OpenAPI document: internal routes are left
 * out, and routes anyone may call (`access: 'public'`: login, health) carry no
 * lock, since the document's default security (session or API key) isn't theirs.
 */
export function openApiTransform({ schema, url, route }: { schema: FastifySchema; url: string; route: RouteOptions }): { schema: FastifySchema; url: string } {
  if (INTERNAL_PATHS.some((prefix) => url.startsWith(prefix))) return { schema: { ...schema, hide: true }, url }
  if (route.config?.access === 'public') return { schema: { security: [], ...schema }, url }
  return { schema, url }
}
