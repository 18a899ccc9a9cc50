/** Locales the product ships complete. */
export const LOCALES = ['en', 'zh-CN'] as const
export type Locale = (typeof LOCALES)[number]
export type Labels = Record<Locale, string>

/** Variable categories of a Get customer data output (DESIGN.md §1). */
export const FIELD_CATEGORIES = ['standard', 'custom'] as const
export type FieldCategory = (typeof FIELD_CATEGORIES)[number]

/** Built-in fields every customer message carries, by their dotted path in the run context. */
export const STANDARD_FIELDS = {
  'customer.name': { en: 'Customer name', 'zh-CN': '客户姓名' },
  'customer.email': { en: 'Customer e-mail', 'zh-CN': '客户邮箱' },
  'customer.phone': { en: 'Customer phone', 'zh-CN': '客户电话' },
  'message.content': { en: 'Message content', 'zh-CN': '消息内容' },
  'message.subject': { en: 'Message subject', 'zh-CN': '消息主题' },
  'message.channel': { en: 'Message channel', 'zh-CN': '消息渠道' },
  'conversation.assignees': { en: 'Conversation assignees', 'zh-CN': '会话负责人' },
} as const satisfies Record<string, Labels>
export type StandardField = keyof typeof STANDARD_FIELDS

export function isStandardField(field: string): field is StandardField {
  return Object.hasOwn(STANDARD_FIELDS, field)
}

/** Output variables must carry this prefix so they never collide with built-in names. */
export const VARIABLE_PATTERN = /^var_[a-z0-9_]+$/
