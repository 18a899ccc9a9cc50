import { randomBytes } from 'node:crypto'

/**
 * Mailgun's inbound Routes, kept in memory: a filter expression and actions,
 * ordered by priority (lower first). Every matching route runs unless one of
 * them has `stop()`. Supported: `match_recipient("regex")`,
 * `match_header("name", "regex")`, `catch_all()`; `forward("url")`, `stop()`
 * (`store(...)` is accepted and ignored).
 */

/** A route as Mailgun's API answers it. */
export interface MailgunRoute {
  id: string
  priority: number
  description: string
  expression: string
  actions: string[]
  created_at: string
}

/** What a mail offers route filters: the recipient and the headers. */
export interface RoutedMail {
  recipient: string
  headers: Record<string, string>
}

type Filter = (mail: RoutedMail) => boolean

/** Mailgun's regexes are Python's; the subset routes use reads the same in JavaScript. Matching ignores case, as Mailgun's does. */
function regex(source: string): RegExp {
  return new RegExp(source, 'i')
}

/** Parses a filter expression, or returns the reason it can't. */
export function parseExpression(expression: string): Filter | string {
  const text = expression.trim()
  if (/^catch_all\(\s*\)$/.test(text)) return () => true
  const recipient = /^match_recipient\(\s*(["'])(.*)\1\s*\)$/.exec(text)
  if (recipient) {
    try {
      const pattern = regex(`^(?:${recipient[2] ?? ''})$`)
      return (mail) => pattern.test(mail.recipient)
    } catch {
      return `invalid regular expression in ${text}`
    }
  }
  const header = /^match_header\(\s*(["'])(.+?)\1\s*,\s*(["'])(.*)\3\s*\)$/.exec(text)
  if (header) {
    try {
      const name = (header[2] ?? '').toLowerCase()
      const pattern = regex(header[4] ?? '')
      return (mail) => {
        const value = Object.entries(mail.headers).find(([key]) => key.toLowerCase() === name)?.[1]
        return value !== undefined && pattern.test(value)
      }
    } catch {
      return `invalid regular expression in ${text}`
    }
  }
  return `unsupported expression: ${text}`
}

/** The forward URLs of a route's actions, and whether it stops later routes. */
export function parseActions(actions: readonly string[]): { forwards: string[]; stop: boolean } | string {
  const forwards: string[] = []
  let stop = false
  for (const action of actions) {
    const text = action.trim()
    const forward = /^forward\(\s*(["'])(.+)\1\s*\)$/.exec(text)
    if (forward?.[2]) {
      if (!/^https?:\/\//.test(forward[2])) return `forward() needs an http(s) URL: ${text}`
      forwards.push(forward[2])
    } else if (/^stop\(\s*\)$/.test(text)) stop = true
    else if (!/^store\(.*\)$/.test(text)) return `unsupported action: ${text}`
  }
  return { forwards, stop }
}

/** The in-memory route table. */
export interface RouteTable {
  create(input: { priority?: number; description?: string; expression: string; actions: string[] }): MailgunRoute | string
  list(): MailgunRoute[]
  get(id: string): MailgunRoute | undefined
  remove(id: string): boolean
  /** The routes a mail runs through, by priority, up to the first matching one with `stop()`. */
  matching(mail: RoutedMail): MailgunRoute[]
  /** Forward URLs for a mail, following priority and `stop()`. */
  forwardsFor(mail: RoutedMail): string[]
}

/** A new, empty route table. */
export function createRouteTable(): RouteTable {
  const routes: MailgunRoute[] = []
  const sorted = () => [...routes].sort((a, b) => a.priority - b.priority)
  return {
    create({ priority = 0, description = '', expression, actions }) {
      const filter = parseExpression(expression)
      if (typeof filter === 'string') return filter
      const parsed = parseActions(actions)
      if (typeof parsed === 'string') return parsed
      const route: MailgunRoute = { id: randomBytes(12).toString('hex'), priority, description, expression, actions: [...actions], created_at: new Date().toUTCString() }
      routes.push(route)
      return route
    },
    list: sorted,
    get: (id) => routes.find((route) => route.id === id),
    remove(id) {
      const index = routes.findIndex((route) => route.id === id)
      if (index < 0) return false
      routes.splice(index, 1)
      return true
    },
    matching(mail) {
      const matched: MailgunRoute[] = []
      for (const route of sorted()) {
        const filter = parseExpression(route.expression)
        const actions = parseActions(route.actions)
        if (typeof filter === 'string' || typeof actions === 'string' || !filter(mail)) continue
        matched.push(route)
        if (actions.stop) break
      }
      return matched
    },
    forwardsFor(mail) {
      return this.matching(mail).flatMap((route) => {
        const actions = parseActions(route.actions)
        return typeof actions === 'string' ? [] : actions.forwards
      })
    },
  }
}
