import { onBeforeUnmount, onMounted } from 'vue'

/** The editing commands the keyboard reaches. */
export interface EditorCommands {
  undo: () => void
  redo: () => void
  copy: () => void
  paste: () => void
  duplicate: () => void
  remove: () => void
}

/** Keys typed into a field belong to the field (its own undo, its own copy). */
function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false
  return target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName) || target.closest('dialog[open]') !== null
}

/** Which command a key press means, if any (Ctrl on Linux/Windows, ⌘ on macOS). */
export function commandFor(event: Pick<KeyboardEvent, 'key' | 'ctrlKey' | 'metaKey' | 'shiftKey' | 'altKey'>): keyof EditorCommands | null {
  const mod = event.ctrlKey || event.metaKey
  const key = event.key.toLowerCase()
  if (event.altKey) return null
  if (mod && key === 'z') return event.shiftKey ? 'redo' : 'undo'
  if (mod && key === 'y') return 'redo'
  if (mod && !event.shiftKey && key === 'c') return 'copy'
  if (mod && !event.shiftKey && key === 'v') return 'paste'
  if (mod && !event.shiftKey && key === 'd') return 'duplicate'
  if (!mod && (key === 'delete' || key === 'backspace')) return 'remove'
  return null
}

/** Binds the editor's keyboard shortcuts while the component is mounted. */
export function useEditorShortcuts(commands: EditorCommands): void {
  function onKeydown(event: KeyboardEvent): void {
    if (isTyping(event.target)) return
    const command = commandFor(event)
    if (!command) return
    event.preventDefault()
    commands[command]()
  }
  onMounted(() => window.addEventListener('keydown', onKeydown))
  onBeforeUnmount(() => window.removeEventListener('keydown', onKeydown))
}
