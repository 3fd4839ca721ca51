import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { formToObject, formValues, runAction } from './run-action'
import { ok } from './state'

const schema = z.object({ name: z.string().trim().min(1, 'Enter a name.') })

function form(entries: [string, string][]) {
  const fd = new FormData()
  for (const [k, v] of entries) fd.append(k, v)
  return fd
}

describe('runAction', () => {
  it('runs the handler for a signed-in caller with parsed input', async () => {
    const state = await runAction(schema, form([['name', '  Acme ']]), async () => ({ id: 'u1' }), async (input, user) =>
      ok(`${user.id}:${input.name}`),
    )
    expect(state).toEqual({ status: 'success', message: 'u1:Acme', data: undefined })
  })

  it('refuses a signed-out caller without running the handler', async () => {
    let ran = false
    const state = await runAction(schema, form([['name', 'Acme']]), async () => null, async () => {
      ran = true
      return ok()
    })
    expect(state.status).toBe('error')
    expect(state.message).toBe('You need to sign in again.')
    expect(ran).toBe(false)
  })

  it('returns field errors and keeps what was typed on bad input', async () => {
    let ran = false
    const state = await runAction(schema, form([['name', '   ']]), async () => ({ id: 'u1' }), async () => {
      ran = true
      return ok()
    })
    expect(ran).toBe(false)
    expect(state.fieldErrors).toEqual({ name: ['Enter a name.'] })
    expect(state.values).toEqual({ name: '   ' })
  })

  it('lets unexpected errors throw', async () => {
    await expect(
      runAction(schema, form([['name', 'x']]), async () => ({ id: 'u1' }), async () => {
        throw new Error('boom')
      }),
    ).rejects.toThrow('boom')
  })
})

describe('form helpers', () => {
  it('collects [] keys and repeated keys as arrays and drops Next internals', () => {
    const fd = form([['p[]', 'a'], ['p[]', 'b'], ['x', '1'], ['x', '2'], ['$ACTION_ID_1', 'z']])
    expect(formToObject(fd)).toEqual({ p: ['a', 'b'], x: ['1', '2'] })
  })
  it('never echoes a token back', () => {
    expect(formValues(form([['token', 'secret'], ['email', 'a@b.co']]))).toEqual({ email: 'a@b.co' })
  })
})

describe('form helpers on hostile field names', () => {
  // Found by the fuzzer: "x" and "x[]" together crashed every action with a 500.
  it('merges a field sent both plain and as an array', () => {
    expect(formToObject(form([['name', 'Acme'], ['name[]', '']]))).toEqual({ name: ['Acme', ''] })
    expect(formToObject(form([['p[]', 'a'], ['p', 'b']]))).toEqual({ p: ['a', 'b'] })
  })
  it('treats prototype names as plain fields', () => {
    const parsed = formToObject(form([['toString[]', 'x'], ['__proto__', 'y']]))
    expect(parsed.toString).toEqual(['x'])
    expect(Object.getPrototypeOf(parsed)).toBe(Object.prototype)
    expect(formValues(form([['toString', 'z']]))).toEqual({ toString: 'z' })
  })
})
