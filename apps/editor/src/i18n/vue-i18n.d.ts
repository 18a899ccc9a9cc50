import type { MessageSchema } from './en.ts'

// Types `t('…')` keys against the English messages.
declare module 'vue-i18n' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  export interface DefineLocaleMessage extends MessageSchema {}
}
