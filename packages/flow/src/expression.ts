import { Environment, ParseError, parse, type ASTNode } from '@marcbachmann/cel-js'
import { FLOW_LIMITS } from './definition.ts'
import { VARIABLE_PATTERN } from './fields.ts'

/** Parse-time bounds: CEL is not Turing-complete, these keep single expressions small too. */
const PARSE_LIMITS = { maxAstNodes: 500, maxDepth: 50, maxListElements: 100, maxMapEntries: 100, maxCallArguments: 8 }

/** Macros whose first argument binds a name locally (`list.exists(x, x > 1)`). */
const BINDING_MACROS = new Set(['all', 'exists', 'exists_one', 'map', 'filter'])

export type ExpressionProblem =
  | { kind: 'syntax'; message: string }
  | { kind: 'not_variable'; name: string }
  | { kind: 'unknown_variable'; name: string }
  | { kind: 'type'; message: string }
  | { kind: 'forbidden'; name: string }

/** A CEL expression checked once and evaluated many times. */
export interface CompiledExpression {
  source: string
  /** Free identifiers the expression reads, in order of first use. */
  variables: string[]
  evaluate(variables: Record<string, unknown>): unknown
}

function firstLine(message: string): string {
  return message.split('\n')[0]?.trim() ?? message
}

function environment(variables: Iterable<string>): Environment {
  const env = new Environment({ limits: PARSE_LIMITS })
  for (const name of variables) env.registerVariable(name, 'dyn')
  return env
}

/** Free identifiers of an AST, skipping names bound by comprehension macros. */
function collectIdentifiers(node: unknown, bound: ReadonlySet<string>, into: string[]): void {
  if (Array.isArray(node)) {
    for (const child of node) collectIdentifiers(child, bound, into)
    return
  }
  if (typeof node !== 'object' || node === null || !('op' in node)) return
  const { op, args } = node as { op: string; args: unknown }
  if (op === 'id' && typeof args === 'string') {
    if (!bound.has(args) && !into.includes(args)) into.push(args)
    return
  }
  if (op === 'rcall' && Array.isArray(args) && BINDING_MACROS.has(String(args[0]))) {
    const [, receiver, macroArgs] = args as [string, unknown, unknown[]]
    collectIdentifiers(receiver, bound, into)
    const [binder, ...rest] = macroArgs
    const name = (binder as { op?: string; args?: unknown } | undefined)?.args
    const inner = typeof name === 'string' ? new Set([...bound, name]) : bound
    collectIdentifiers(rest, inner, into)
    return
  }
  collectIdentifiers(args, bound, into)
}

/**
 * Functions a flow may not call. `matches()` runs JavaScript's backtracking
 * regex engine on customer-written text: a crafted message could make one
 * expression take seconds (ReDoS), and runs must stay cheap.
 */
const FORBIDDEN_FUNCTIONS = new Set(['matches'])

/** Names of the functions an AST calls, global (`size(x)`) or on a receiver (`x.contains(y)`). */
function collectFunctions(node: unknown, into: Set<string>): void {
  if (Array.isArray(node)) {
    for (const child of node) collectFunctions(child, into)
    return
  }
  if (typeof node !== 'object' || node === null || !('op' in node)) return
  const { op, args } = node as { op: string; args: unknown }
  if ((op === 'call' || op === 'rcall') && Array.isArray(args) && typeof args[0] === 'string') into.add(args[0])
  collectFunctions(args, into)
}

function forbiddenFunctions(ast: unknown): string[] {
  const called = new Set<string>()
  collectFunctions(ast, called)
  return [...called].filter((name) => FORBIDDEN_FUNCTIONS.has(name))
}

/** Names CEL itself defines (`string`, `int`, `null_type`…), so `type(var_a) == string` names only var_a. */
const BUILT_INS = new Environment()

/** The free variables an expression names; throws CEL's ParseError on bad syntax. */
export function expressionVariables(source: string): string[] {
  const ast: ASTNode = parse(source).ast
  const names: string[] = []
  collectIdentifiers(ast, new Set(), names)
  return names.filter((name) => !BUILT_INS.hasVariable(name))
}

/**
 * Checks an expression against the variables in scope, reporting every problem.
 *
 * @example
 * checkExpression("var_content.contains('refund')", ['var_content']) // []
 */
export function checkExpression(source: string, inScope: Iterable<string>): ExpressionProblem[] {
  if (source.length > FLOW_LIMITS.expressionLength) {
    return [{ kind: 'syntax', message: `longer than ${FLOW_LIMITS.expressionLength} characters` }]
  }
  let names: string[]
  let forbidden: string[]
  try {
    names = expressionVariables(source)
    forbidden = forbiddenFunctions(parse(source).ast)
  } catch (error) {
    return [{ kind: 'syntax', message: firstLine(error instanceof Error ? error.message : String(error)) }]
  }
  const scope = new Set(inScope)
  const problems: ExpressionProblem[] = forbidden.map((name) => ({ kind: 'forbidden', name }))
  for (const name of names) {
    if (!VARIABLE_PATTERN.test(name)) problems.push({ kind: 'not_variable', name })
    else if (!scope.has(name)) problems.push({ kind: 'unknown_variable', name })
  }
  if (problems.length > 0) return problems
  const checked = environment(names).check(source)
  if (!checked.valid) return [{ kind: 'type', message: firstLine(checked.error?.message ?? 'invalid expression') }]
  if (checked.type !== 'bool' && checked.type !== 'dyn') {
    // Variables are `dyn`, so the checker only knows the result's type; name that, not an operand (e.g. `var_x + 1` is int).
    return [{ kind: 'type', message: `the expression must give true or false; this one gives ${checked.type}` }]
  }
  return []
}

/** Compiles an expression for evaluation with only `var_` variables in scope. */
export function compileExpression(source: string): CompiledExpression {
  const variables = expressionVariables(source)
  const forbidden = forbiddenFunctions(parse(source).ast)
  if (forbidden.length > 0) throw new Error(`${forbidden.join(', ')}() is not allowed in flow expressions`)
  const program = environment(variables).parse(source)
  return {
    source,
    variables,
    evaluate(values) {
      const scope: Record<string, unknown> = {}
      // Only the names the expression reads, each defaulting to null: nothing else leaks in,
      // not even what `values` inherits (`constructor`, `toString`).
      for (const name of variables) scope[name] = toCelValue(Object.hasOwn(values, name) ? values[name] : null)
      return program(scope)
    },
  }
}

/**
 * CEL has no `undefined`; whole numbers become CEL ints (BigInt) so that
 * `var_orders + 1` type-checks against int literals; arrays and plain objects
 * pass through as lists and maps.
 */
function toCelValue(value: unknown): unknown {
  if (value === undefined) return null
  if (typeof value === 'number' && Number.isSafeInteger(value)) return BigInt(value)
  if (Array.isArray(value)) return value.map(toCelValue)
  return value
}

export { ParseError }
