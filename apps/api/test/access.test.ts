import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from './helper.ts'

// Issue 3: "every route but login, health and webhooks requires auth". Rather
// than trusting each route's options, walk every route the app registered
// and knock on it without credentials.

/** What may answer without credentials: login, health, Mailgun's webhooks (signed instead), the editor's files. */
const PUBLIC = [
  /^POST \/api\/v1\/auth\/login$/,
  /^GET \/(healthz|readyz)$/,
  /^POST \/webhooks\/mailgun\//,
  /^GET \/(|index\.html|\*|assets\/.+)$/,
  // swagger-ui's own script and style files; the page and the document are behind the login.
  /^GET \/api\/v1\/docs\/\*$/,
]

/** `METHOD /path` of every route, read off Fastify's route tree (HEAD is GET's twin). */
function registeredRoutes(tree: string): string[] {
  const routes: string[] = []
  const path: string[] = []
  for (const line of tree.split('\n')) {
    // `    │   ├── /:id (GET, HEAD)`: the branch's column gives the depth.
    const match = /^(.*?)[├└]── (\S+) \(([^)]+)\)$/.exec(line)
    if (!match) continue
    const [, indent = '', segment = '', methods = ''] = match
    path.length = indent.length / 4
    path.push(segment)
    for (const method of methods.split(', ')) if (method !== 'HEAD') routes.push(`${method} ${path.join('')}`)
  }
  return routes
}

describe('access control', () => {
  let t: TestApp
  beforeAll(async () => {
    t = await buildTestApp()
  })
  afterAll(() => t.close())

  it('answers 401 on every route but login, health, webhooks and the editor, without credentials', async () => {
    const routes = registeredRoutes(t.app.printRoutes({ commonPrefix: false }))
    // The walk must see the app's parts, or it proves nothing.
    expect(routes).toEqual(expect.arrayContaining(['GET /api/v1/flows', 'GET /metrics', 'GET /api/v1/docs', 'GET /api/v1/openapi.json', 'POST /internal/v1/runs/claim', 'POST /dev/mailgun/v3/:domain/messages']))
    const open: string[] = []
    for (const route of routes.filter((candidate) => !PUBLIC.some((rule) => rule.test(candidate)))) {
      const [method = 'GET', path = '/'] = route.split(' ')
      const url = path.replace(/:[^/]+/g, 'x').replace(/\*$/, 'x')
      const response = await t.request({ method: method as 'GET', url, as: null })
      if (response.statusCode !== 401) open.push(`${route} → ${response.statusCode}`)
    }
    expect(open).toEqual([])
  })
})
