import type { Db } from '@replyflow/db'
import { registerQueueDepthGauge, type QueueInspector } from '@replyflow/queue'
import { Gauge, Registry, collectDefaultMetrics } from 'prom-client'

/** The API's Prometheus metrics, in a registry of its own (tests build several apps in one process). */
export interface ApiMetrics {
  registry: Registry
}

export interface ApiMetricsOptions {
  db: Db
  /** Reads queue depths on each scrape; without it the depth gauge is left out. */
  inspector?: QueueInspector
  /** Reports a failed read; a scrape still answers with what it could read. */
  onError: (error: unknown, what: string) => void
}

/** Rows per status of a table; the status column is indexed, so this is cheap at scrape time. */
function countByStatus(db: Db, table: 'runs' | 'deliveries'): { status: string; n: number }[] {
  // Read-only and internal to metrics: a GROUP BY is clearer here than a repository per gauge.
  return db.$client.prepare<[], { status: string; n: number }>(`SELECT status, count(*) AS n FROM ${table} GROUP BY status`).all()
}

/**
 * Creates the API's metrics: runs and deliveries by status (from SQLite) and
 * queue depth (from Redis), read at scrape time so every API process reports
 * the same truth. Workers add run latency and send counters on their own
 * `/metrics`.
 */
export function createApiMetrics({ db, inspector, onError }: ApiMetricsOptions): ApiMetrics {
  const registry = new Registry()
  collectDefaultMetrics({ register: registry })
  const registers = [registry]

  const statusGauge = (name: string, help: string, table: 'runs' | 'deliveries') =>
    new Gauge({
      name,
      help,
      labelNames: ['status'],
      registers,
      collect() {
        try {
          this.reset()
          for (const { status, n } of countByStatus(db, table)) this.set({ status }, n)
        } catch (error) {
          onError(error, table)
        }
      },
    })
  statusGauge('replyflow_runs', 'Flow runs by status', 'runs')
  statusGauge('replyflow_deliveries', 'Outbound mail deliveries by status (sent, failed, …)', 'deliveries')

  if (inspector) registerQueueDepthGauge(registry, inspector, (error) => onError(error, 'queue depth'))
  return { registry }
}
