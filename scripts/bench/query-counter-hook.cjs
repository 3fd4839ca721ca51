// Preloaded into the `next start` process by the benchmark (NODE_OPTIONS=--require ...), so
// queries per request can be counted without touching product code. It patches the database
// drivers (pg's Client#query, PGlite's query/exec/transaction) and attributes every statement
// to the HTTP request whose async context issued it (AsyncLocalStorage). Statements issued by
// background sweeps belong to no request and are counted apart; statements a request issues
// after its response has finished (Next's after(), e.g. immediate email delivery) too.
// The counters are served as JSON on 127.0.0.1:$BENCH_COUNTER_PORT.
'use strict'

const http = require('node:http')
const path = require('node:path')
const { AsyncLocalStorage } = require('node:async_hooks')

const port = Number(process.env.BENCH_COUNTER_PORT || 0)
if (port && !globalThis.__benchQueryCounter) {
  const als = new AsyncLocalStorage()
  const totals = { requests: 0, inFlight: 0, inResponse: 0, afterResponse: 0, background: 0, patched: [] }
  // The last requests, each with its own counts (late statements keep adding to their request).
  const recent = []
  globalThis.__benchQueryCounter = totals

  const count = (n = 1) => {
    const store = als.getStore()
    if (!store) totals.background += n
    else if (store.done) totals.afterResponse += n
    else store.queries += n
    if (store) store.total += n
  }

  const originalEmit = http.Server.prototype.emit
  http.Server.prototype.emit = function emit(event, req, res) {
    if (event !== 'request' || this.__benchCounterServer) return originalEmit.apply(this, arguments)
    const store = { method: req.method, url: req.url, queries: 0, total: 0, done: false }
    totals.inFlight += 1
    recent.push(store)
    if (recent.length > 200) recent.shift()
    res.once('close', () => {
      if (store.done) return
      store.done = true
      totals.inFlight -= 1
      totals.requests += 1
      totals.inResponse += store.queries
    })
    return als.run(store, () => originalEmit.apply(this, arguments))
  }

  const resolveFromApp = (id) => require.resolve(id, { paths: [process.cwd()] })

  try {
    const pg = require(resolveFromApp('pg'))
    const originalQuery = pg.Client.prototype.query
    pg.Client.prototype.query = function query() {
      count()
      return originalQuery.apply(this, arguments)
    }
    totals.patched.push('pg')
  } catch {}

  // drizzle counts BEGIN and COMMIT on pg (they are statements it sends); PGlite runs them
  // inside transaction(), so two are added per transaction to count alike on both.
  const patchPglite = (mod, label) => {
    const PGlite = mod && mod.PGlite
    if (!PGlite || PGlite.prototype.__benchPatched) return
    PGlite.prototype.__benchPatched = true
    for (const name of ['query', 'exec']) {
      const original = PGlite.prototype[name]
      PGlite.prototype[name] = function () {
        count()
        return original.apply(this, arguments)
      }
    }
    const originalTransaction = PGlite.prototype.transaction
    PGlite.prototype.transaction = function transaction(callback) {
      count(2)
      return originalTransaction.call(this, (tx) => {
        for (const name of ['query', 'exec']) {
          const original = tx[name]
          tx[name] = function () {
            count()
            return original.apply(this, arguments)
          }
        }
        return callback(tx)
      })
    }
    totals.patched.push(label)
  }
  try {
    patchPglite(require(resolveFromApp('@electric-sql/pglite')), 'pglite-cjs')
  } catch {}
  try {
    const url = require('node:url').pathToFileURL(resolveFromApp('@electric-sql/pglite')).href
    // The ESM build is a different class from the CJS one; Next may load either.
    const esm = path.extname(url) === '.cjs' ? url.replace(/\.cjs$/, '.js') : url
    import(esm)
      .then((mod) => patchPglite(mod, 'pglite-esm'))
      .catch(() => {})
  } catch {}

  const server = http.createServer((req, res) => {
    res.setHeader('content-type', 'application/json')
    if (req.url === '/gc') {
      // A full collection first, to tell live memory from garbage not yet collected.
      require('node:v8').setFlagsFromString('--expose-gc')
      require('node:vm').runInNewContext('gc')()
    }
    if (req.url === '/memory' || req.url === '/gc') {
      // Where the server's memory is: V8's heap spaces, and the rest of the resident set.
      const v8 = require('node:v8')
      return res.end(JSON.stringify({ ...process.memoryUsage(), spaces: v8.getHeapSpaceStatistics().map((s) => ({ name: s.space_name, size: s.space_size, used: s.space_used_size })) }))
    }
    res.end(JSON.stringify(req.url === '/recent' ? recent : totals))
  })
  server.__benchCounterServer = true
  server.on('error', () => {})
  server.listen(port, '127.0.0.1')
  server.unref()
}
