import Type from 'typebox'
import { Compile } from 'typebox/compile'
import { describe, expect, it } from 'vitest'
import { validationDetails } from './validation-errors.ts'

const Body = Type.Object(
  {
    name: Type.String({ minLength: 1 }),
    mode: Type.Optional(Type.Enum(['team', 'agent'])),
    email: Type.Optional(Type.Union([Type.String({ format: 'email' }), Type.Null()])),
    kind: Type.Optional(Type.Union([Type.Literal('a'), Type.Literal('b')])),
    owner: Type.Optional(Type.Union([Type.Object({ id: Type.String() }, { additionalProperties: false }), Type.Null()])),
    effects: Type.Optional(
      Type.Array(
        Type.Union([
          Type.Object({ type: Type.Literal('assign'), agentIds: Type.Array(Type.String()) }, { additionalProperties: false }),
          Type.Object({ type: Type.Literal('deliver'), text: Type.String() }, { additionalProperties: false }),
        ]),
      ),
    ),
  },
  { additionalProperties: false },
)
const check = Compile(Body)
const details = (value: unknown) => validationDetails('body', check.Errors(value))

describe('validationDetails', () => {
  it('names an unknown property instead of saying "schema is false"', () => {
    expect(details({ name: 'x', foo: 1 })).toEqual([{ path: 'body/foo', message: 'unknown property "foo"' }])
  })

  it('names a missing property at its own path', () => {
    expect(details({})).toEqual([{ path: 'body/name', message: 'required property "name" is missing' }])
  })

  it('collapses a nullable field to one line naming its forms', () => {
    expect(details({ name: 'x', email: 5 })).toEqual([{ path: 'body/email', message: 'must be string or null' }])
  })

  it("reports the constraint of the branch whose type matched (a string that isn't an e-mail)", () => {
    expect(details({ name: 'x', email: 'not-an-address' })).toEqual([{ path: 'body/email', message: 'must match format "email"' }])
  })

  it('lists the allowed values of literal unions and enums', () => {
    expect(details({ name: 'x', kind: 'c', mode: 'robot' })).toEqual([
      { path: 'body/kind', message: 'must be "a" or "b"' },
      { path: 'body/mode', message: 'must be one of "team", "agent"' },
    ])
  })

  it('reports inside the object branch of a nullable object', () => {
    expect(details({ name: 'x', owner: { id: 1 } })).toEqual([{ path: 'body/owner/id', message: 'must be string' }])
  })

  it('follows the variant a discriminator picks in a union of objects', () => {
    expect(details({ name: 'x', effects: [{ type: 'assign', agentIds: 'a1' }] })).toEqual([
      { path: 'body/effects/0/agentIds', message: 'must be array' },
    ])
  })

  it('says "must not be empty" for an empty required string', () => {
    expect(details({ name: '' })).toEqual([{ path: 'body/name', message: 'must not be empty' }])
  })
})
