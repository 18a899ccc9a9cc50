import { describe, expect, it } from 'vitest'
import { checkExpression, compileExpression, expressionVariables } from './expression.ts'

describe('expressionVariables', () => {
  it('lists free identifiers once, in order of first use', () => {
    expect(expressionVariables("var_b == 'x' || var_a.contains(var_b)")).toEqual(['var_b', 'var_a'])
  })

  it('leaves out names bound by comprehension macros, however deeply nested', () => {
    expect(expressionVariables('var_l.exists(x, var_m.all(y, x != y))')).toEqual(['var_l', 'var_m'])
    expect(expressionVariables('var_l.map(x, x > 1, x * 2).size() > 0')).toEqual(['var_l'])
    expect(expressionVariables('var_l.filter(x, x > 1).exists_one(y, y == 2)')).toEqual(['var_l'])
  })

  it('reports a macro-bound name again once it is used outside its macro', () => {
    expect(expressionVariables('var_l.exists(x, x > 1) && x > 1')).toEqual(['var_l', 'x'])
  })

  it('does not count field names and literals as identifiers', () => {
    expect(expressionVariables("var_a.b.c == 'var_z' && {'k': 1}.k == 1")).toEqual(['var_a'])
  })

  it("does not count CEL's own type names as variables", () => {
    expect(expressionVariables('type(var_a) == string || type(var_a) == null_type || type(var_b) == list')).toEqual(['var_a', 'var_b'])
  })

  it('throws a parse error on bad syntax', () => {
    expect(() => expressionVariables('var_a +')).toThrow(/Unexpected token/)
  })
})

describe('checkExpression', () => {
  it('accepts the reference expression with its variable in scope', () => {
    expect(checkExpression("var_content.contains('refund')", ['var_content'])).toEqual([])
  })

  it.each([['var_a +'], ['var_a == '], ["var_a.contains('x'"], ['&& var_a'], ['var_a ==== 1']])(
    'reports a syntax error for %j',
    (source) => {
      const problems = checkExpression(source, ['var_a'])
      expect(problems).toHaveLength(1)
      expect(problems[0]).toMatchObject({ kind: 'syntax', message: expect.stringMatching(/\S/) })
    },
  )

  it('reports every identifier that is not a var_ variable', () => {
    expect(checkExpression("content == 'x' || request.auth || var_a", ['var_a'])).toEqual([
      { kind: 'not_variable', name: 'content' },
      { kind: 'not_variable', name: 'request' },
    ])
  })

  it('rejects var_ names that break the variable pattern', () => {
    expect(checkExpression('var_Tier', ['var_Tier'])).toEqual([{ kind: 'not_variable', name: 'var_Tier' }])
  })

  it('reports var_ variables that are not in scope', () => {
    expect(checkExpression('var_a && var_b', ['var_a'])).toEqual([{ kind: 'unknown_variable', name: 'var_b' }])
  })

  it('does not report names bound by comprehensions', () => {
    expect(checkExpression('var_l.exists(x, x > 1) && var_l.all(item, item != 0)', ['var_l'])).toEqual([])
  })

  it.each([
    ['1 + 2', 'int'],
    ["'refund'", 'string'],
    ['var_a.size()', 'int'],
    ["var_a == 1 ? 'x' : 'y'", 'string'],
    ['[true]', 'list'],
  ])('rejects %j, whose type %s is known not to be bool', (source, type) => {
    expect(checkExpression(source, ['var_a'])).toEqual([{ kind: 'type', message: expect.stringContaining(type) }])
  })

  it('names the result, not an operand, when a variable meets arithmetic (`var_a + 1` gives int)', () => {
    expect(checkExpression('var_a + 1', ['var_a'])).toEqual([
      { kind: 'type', message: 'the expression must give true or false; this one gives int' },
    ])
  })

  it("accepts CEL's type names beside var_ variables", () => {
    expect(checkExpression("type(var_a) == string && var_a.startsWith('vip')", ['var_a'])).toEqual([])
  })

  it('accepts expressions whose type is only known at run time', () => {
    expect(checkExpression('var_a', ['var_a'])).toEqual([])
    expect(checkExpression('var_a.b', ['var_a'])).toEqual([])
  })

  it('reports type errors CEL can see without values', () => {
    expect(checkExpression("'a' + 1 == 'a1'", [])).toEqual([{ kind: 'type', message: expect.stringContaining('overload') }])
    expect(checkExpression('now()', [])).toEqual([{ kind: 'type', message: expect.stringContaining('now()') }])
  })

  describe('bounded cost', () => {
    const limitOf = (source: string) => {
      const problems = checkExpression(source, ['var_a'])
      expect(problems).toHaveLength(1)
      const [problem] = problems
      return problem && 'message' in problem ? problem.message : undefined
    }

    it('rejects expressions longer than 2000 characters before parsing them', () => {
      expect(limitOf(`var_a ${'|| var_a '.repeat(300)}`)).toBe('longer than 2000 characters')
    })

    it('rejects deep nesting', () => {
      expect(limitOf(`${'('.repeat(60)}true${')'.repeat(60)}`)).toMatch(/maxDepth/)
      expect(limitOf(`${'size('.repeat(60)}var_a${')'.repeat(60)} > 0`)).toMatch(/maxDepth/)
    })

    it('rejects expressions with too many nodes', () => {
      expect(limitOf(`${Array.from({ length: 600 }, () => '1').join('+')} > 0`)).toMatch(/maxAstNodes/)
    })

    it('rejects huge list and map literals and long argument lists', () => {
      expect(limitOf(`[${Array.from({ length: 101 }, () => '1').join(',')}].size() > 0`)).toMatch(/maxListElements/)
      expect(limitOf(`{${Array.from({ length: 101 }, (_, i) => `${i}: 1`).join(',')}}.size() > 0`)).toMatch(/maxMapEntries/)
      expect(limitOf(`var_a.f(${Array.from({ length: 9 }, () => '1').join(',')})`)).toMatch(/maxCallArguments/)
    })

    it('refuses to compile what the check rejects', () => {
      expect(() => compileExpression(`${'('.repeat(60)}true${')'.repeat(60)}`)).toThrow(/maxDepth/)
    })
  })
})

describe('compileExpression', () => {
  it('evaluates against the run variables', () => {
    const refund = compileExpression("var_content.contains('refund')")
    expect(refund.variables).toEqual(['var_content'])
    expect(refund.evaluate({ var_content: 'I want a refund' })).toBe(true)
    expect(refund.evaluate({ var_content: 'Thanks!' })).toBe(false)
  })

  it('does arithmetic on whole-number fields as CEL ints', () => {
    const busy = compileExpression('var_orders + 1 > 3')
    expect(busy.evaluate({ var_orders: 3 })).toBe(true)
    expect(busy.evaluate({ var_orders: 1 })).toBe(false)
    expect(compileExpression('var_price > 2').evaluate({ var_price: 2.5 })).toBe(true)
  })

  it('refuses to compile matches(), so a stored flow with a regex cannot reach the engine', () => {
    expect(() => compileExpression("var_content.matches('(a+)+$')")).toThrow(/matches\(\) is not allowed/)
  })

  it('evaluates numbers, lists, maps and comprehensions the way JSON values arrive', () => {
    const vip = compileExpression("var_orders >= 10 && 'gold' in var_tags && var_profile.region == 'eu'")
    expect(vip.evaluate({ var_orders: 12, var_tags: ['gold'], var_profile: { region: 'eu' } })).toBe(true)
    expect(vip.evaluate({ var_orders: 3, var_tags: ['gold'], var_profile: { region: 'eu' } })).toBe(false)
    expect(compileExpression('var_l.exists(x, x > 2)').evaluate({ var_l: [1, 2, 3] })).toBe(true)
  })

  it("compares a variable's type with CEL's type names", () => {
    const isText = compileExpression('type(var_a) == string')
    expect(isText.evaluate({ var_a: 'gold' })).toBe(true)
    expect(isText.evaluate({ var_a: 3 })).toBe(false)
    expect(compileExpression('type(var_a) == null_type').evaluate({})).toBe(true)
  })

  it('treats a missing variable as null', () => {
    expect(compileExpression('var_missing == null').evaluate({})).toBe(true)
  })

  it('sees nothing but the run variables: other names read as null, even ones JavaScript objects inherit', () => {
    for (const name of ['constructor', 'toString', 'hasOwnProperty', 'valueOf', 'globalThis', 'process', 'Object']) {
      expect(compileExpression(`${name} == null`).evaluate({ var_a: 1 }), name).toBe(true)
    }
  })

  it('cannot reach JavaScript properties of a map value', () => {
    expect(() => compileExpression('var_a.constructor == null').evaluate({ var_a: {} })).toThrow(/constructor/)
  })

  it('rejects reserved identifiers such as __proto__ when compiling', () => {
    expect(() => compileExpression('__proto__ == null')).toThrow(/__proto__/)
  })

  it('throws at evaluation when the values do not fit the expression', () => {
    const refund = compileExpression("var_content.contains('refund')")
    expect(() => refund.evaluate({ var_content: null })).toThrow(/overload/)
    expect(() => compileExpression('1 / 0 == 1').evaluate({})).toThrow(/division by zero/)
  })

  it('caches nothing between evaluations', () => {
    const check = compileExpression("var_a == 'x'")
    expect(check.evaluate({ var_a: 'x' })).toBe(true)
    expect(check.evaluate({})).toBe(false)
  })
})
