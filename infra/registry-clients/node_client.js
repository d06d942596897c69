// npm's @kafkajs/confluent-schema-registry against Rollout Ledger's /registry.
//
// Looks up the telemetry subject of the topic contract, serializes a CrashReport with the
// subject's registered schema (a top-level union, ADR 0003) in the Confluent wire format,
// deserializes it back, and writes the bytes to OUT_DIR/node-crash.bin for the Java check.
//
// Usage: node node_client.js REGISTRY_URL TOKEN OUT_DIR
'use strict'
const fs = require('fs')
const path = require('path')
const { SchemaRegistry, SchemaType } = require('@kafkajs/confluent-schema-registry')

const SUBJECT = 'ledger.telemetry-value'

async function main([url, token, outDir]) {
  // the token is the Basic password; the user name is anything
  const registry = new SchemaRegistry({ host: url, auth: { username: 'ledger', password: token } })

  const id = await registry.getLatestSchemaId(SUBJECT)
  const union = JSON.parse(await (await fetchLatest(url, token)).schema)
  console.log(`node: latest ${SUBJECT}: id ${id}, a union of ${union.map(t => t.name).join(', ')}`)
  const byLookup = await registry.getRegistryIdBySchema(SUBJECT, {
    type: SchemaType.AVRO,
    schema: JSON.stringify(union),
  })
  console.log(`node: lookup (POST /subjects/${SUBJECT}) finds id ${byLookup}`)

  // avsc takes a top-level union's value wrapped in the branch name: {"<full name>": record}
  const crash = {
    'dev.rolloutledger.avro.CrashReport': {
      tenant: 'demo',
      at: Date.UTC(2026, 11, 7, 12, 0),
      host: 'host-8',
      release: 'cf-291',
      signature: 'KERNEL_SECURITY_CHECK_FAILURE',
      kind: 'BSOD',
    },
  }
  const data = await registry.encode(id, crash)
  console.log(
    `node: wire format: magic ${data[0]}, schema id ${data.readUInt32BE(1)}, ` +
      `${data.length} bytes: ${data.toString('hex')}`,
  )
  const back = await registry.decode(data)
  console.log('node: decoded back:', JSON.stringify(back))
  const branch = back['dev.rolloutledger.avro.CrashReport'] || back
  if (branch.signature !== 'KERNEL_SECURITY_CHECK_FAILURE') throw new Error('round trip lost data')
  fs.writeFileSync(path.join(outDir, 'node-crash.bin'), data)

  // the errors a Confluent client sees, with Confluent's error_code
  for (const [what, call] of [
    ['a subject that does not exist', () => registry.getLatestSchemaId('no-such-subject')],
    ['an unknown schema id', () => registry.getSchema(1)],
  ]) {
    try {
      await call()
      throw new Error(`${what}: no error`)
    } catch (e) {
      console.log(`node: ${what}: HTTP ${e.status} ${e.message}`)
    }
  }
}

async function fetchLatest(url, token) {
  const r = await fetch(`${url}/subjects/${SUBJECT}/versions/latest`, {
    headers: { Authorization: `Bearer ${token}` },
  })
  if (!r.ok) throw new Error(`latest: HTTP ${r.status}`)
  return r.json()
}

main(process.argv.slice(2)).catch(e => {
  console.error('node: FAILED', e)
  process.exit(1)
})
