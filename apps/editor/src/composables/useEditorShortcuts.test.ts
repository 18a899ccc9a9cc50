import { describe, expect, it } from 'vitest'
import { commandFor } from './useEditorShortcuts.ts'

const key = (k: string, mods: { ctrl?: boolean; meta?: boolean; shift?: boolean; alt?: boolean } = {}) =>
  commandFor({ key: k, ctrlKey: mods.ctrl ?? false, metaKey: mods.meta ?? false, shiftKey: mods.shift ?? false, altKey: mods.alt ?? false })

describe('editor shortcuts', () => {
  it('maps Ctrl+Z / Ctrl+Shift+Z (and ⌘ on macOS) to undo and redo', () => {
    expect(key('z', { ctrl: true })).toBe('undo')
    expect(key('Z', { ctrl: true, shift: true })).toBe('redo')
    expect(key('z', { meta: true })).toBe('undo')
    expect(key('y', { ctrl: true })).toBe('redo')
  })

  it('maps copy, paste, duplicate and delete', () => {
    expect(key('c', { ctrl: true })).toBe('copy')
    expect(key('v', { ctrl: true })).toBe('paste')
    expect(key('d', { ctrl: true })).toBe('duplicate')
    expect(key('Delete')).toBe('remove')
    expect(key('Backspace')).toBe('remove')
  })

  it('leaves other keys alone', () => {
    expect(key('z')).toBeNull()
    expect(key('c', { ctrl: true, alt: true })).toBeNull()
    expect(key('Delete', { ctrl: true })).toBeNull()
  })
})
