// A module resolve hook for the reliability scripts: `server-only` throws outside a React server
// bundle, and these scripts import server modules (the outbox) directly, as the tests do with
// the alias in vitest.config.ts. Registered by product.ts before the product code is imported.
export async function resolve(specifier, context, nextResolve) {
  if (specifier === 'server-only') return { url: 'data:text/javascript,export%20%7B%7D', shortCircuit: true }
  return nextResolve(specifier, context)
}
