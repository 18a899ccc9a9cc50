import { STANDARD_FIELDS, isStandardField, type FlowNode, type Locale } from '@replyflow/flow'
import { arrayProp, stringProp } from './config-values.ts'

/** Translates a message key of the `node` and `config` groups with parameters. */
export type Translate = (key: string, params?: Record<string, unknown>) => string

/**
 * The one or two lines a node shows under its label on the canvas, so a flow
 * reads at a glance. Per kind; a kind without settings shows nothing.
 */
export function nodeSummary(node: FlowNode, locale: Locale, t: Translate): string[] {
  switch (node.type) {
    case 'get_customer_data': {
      return arrayProp(node.config, 'outputs')
        .slice(0, 3)
        .map((output) => {
          const field = stringProp(output, 'field')
          const fieldText = isStandardField(field) ? STANDARD_FIELDS[field][locale] : field
          return t('node.reads', { variable: stringProp(output, 'variable'), field: fieldText })
        })
    }
    case 'logic': {
      const expression = stringProp(node.config, 'expression').trim()
      return [expression === '' ? t('node.untitledExpression') : expression]
    }
    case 'message_conversion':
      return [t('node.outputs', { channel: t(`config.channels.${node.config.output === 'sms' ? 'sms' : 'email'}`) })]
    default:
      return []
  }
}
