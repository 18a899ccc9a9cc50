import { PLAIN_LINE_PATTERN } from '@replyflow/flow'
import type { FastifyRequest } from 'fastify'
import Type, { type TSchema } from 'typebox'
import { ApiError, ErrorResponseSchema } from './errors.ts'
import { NOT_BLANK_PATTERN } from './validation-errors.ts'

/** `T | null`, for JSON fields that may be null. */
export const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()])

/** A list answer: every list is `{ items: [...] }` (DESIGN.md §4). */
export const Items = <T extends TSchema>(item: T) => Type.Object({ items: Type.Array(item) })

/** A paginated list: `nextCursor` is null on the last page. */
export const Page = <T extends TSchema>(item: T) => Type.Object({ items: Type.Array(item), nextCursor: Nullable(Type.String()) })

/** Row ids (newId) and other path ids. */
export const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) })

/** Page size when the query names none. */
export const DEFAULT_PAGE_SIZE = 50

/** Query of a cursor-paginated list. */
export const PageQuery = {
  cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: DEFAULT_PAGE_SIZE })),
}

/** A lowercase-insensitive e-mail address, length-limited. */
export const Email = Type.String({ format: 'email', maxLength: 254 })


/** A text a person must actually write (an answer): not empty, not only white space. */
export const NotBlank = (maxLength: number) => Type.String({ minLength: 1, maxLength, pattern: NOT_BLANK_PATTERN })

/** A short human name (an agent's, an API key's): one plain line, like a flow's. */
export const Name = Type.String({ minLength: 1, maxLength: 200, pattern: PLAIN_LINE_PATTERN })

/** The documented error answers every route may give. */
export const errorResponses = {
  400: ErrorResponseSchema,
  401: ErrorResponseSchema,
  403: ErrorResponseSchema,
  404: ErrorResponseSchema,
  409: ErrorResponseSchema,
  413: ErrorResponseSchema,
  415: ErrorResponseSchema,
  422: ErrorResponseSchema,
  429: ErrorResponseSchema,
} as const

/** A user as the API shows it. */
export const UserSchema = Type.Object({
  id: Type.String(),
  email: Type.String(),
  name: Type.String(),
  role: Type.Union([Type.Literal('admin'), Type.Literal('agent')]),
  agentId: Nullable(Type.String()),
})

/**
 * `preValidation` of routes that take a `name` (flows, agents, API keys): the
 * name is trimmed, and one that is only spaces is refused, so no list shows a blank entry.
 */
export async function trimName(request: FastifyRequest): Promise<void> {
  const body: unknown = request.body
  if (typeof body !== 'object' || body === null || !('name' in body) || typeof body.name !== 'string') return
  const trimmed = body.name.trim()
  if (trimmed === '' && body.name !== '') {
    const message = 'must have at least one character that is not a space'
    throw new ApiError(400, 'API_VALIDATION', `body/name: ${message}`, [{ path: 'body/name', message }])
  }
  Reflect.set(body, 'name', trimmed)
}

/** `preValidation` of routes whose body is an object of optional fields: no body at all counts as `{}`. */
export async function emptyBodyAsObject(request: FastifyRequest): Promise<void> {
  if (request.body === undefined || request.body === null) request.body = {}
}
