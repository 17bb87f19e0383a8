/**
 * The service's counters in the Prometheus text exposition format (version 0.0.4). Hand-written:
 * five series do not need a client library.
 */

const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

function labelText(labels: Record<string, string>): string {
  const parts = Object.entries(labels).map(([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`);
  return parts.length ? `{${parts.join(',')}}` : '';
}

class Histogram {
  readonly counts = new Array<number>(LATENCY_BUCKETS.length).fill(0);
  sum = 0;
  count = 0;

  observe(v: number): void {
    for (let i = 0; i < LATENCY_BUCKETS.length; i++) if (v <= LATENCY_BUCKETS[i]) this.counts[i]++;
    this.sum += v;
    this.count++;
  }
}

export type ErrorKind = 'validation' | 'too_large' | 'bad_input' | 'not_found' | 'unsupported_media' | 'internal';

export class ServiceMetrics {
  private readonly requests = new Map<string, { labels: Record<string, string>; n: number }>();
  private readonly latency = new Map<string, Histogram>();
  private readonly errors = new Map<ErrorKind, number>();
  flowsClassified = 0;
  inFlight = 0;
  /** Times memory was given back after a quiet spell (idle-release.ts). */
  memoryReleases = 0;
  readonly startedAt = Date.now();

  recordRequest(route: string, method: string, status: number, seconds: number): void {
    const labels = { route, method, status: String(status) };
    const key = `${route}\u0000${method}\u0000${status}`;
    const r = this.requests.get(key);
    if (r) r.n++;
    else this.requests.set(key, { labels, n: 1 });
    let h = this.latency.get(route);
    if (!h) this.latency.set(route, (h = new Histogram()));
    h.observe(seconds);
  }

  recordError(kind: ErrorKind): void {
    this.errors.set(kind, (this.errors.get(kind) ?? 0) + 1);
  }

  render(): string {
    const out: string[] = [];
    out.push('# HELP ntc_http_requests_total HTTP requests answered, by route, method and status.');
    out.push('# TYPE ntc_http_requests_total counter');
    for (const { labels, n } of this.requests.values()) out.push(`ntc_http_requests_total${labelText(labels)} ${n}`);
    out.push('# HELP ntc_http_request_duration_seconds Time from receiving a request to sending its reply.');
    out.push('# TYPE ntc_http_request_duration_seconds histogram');
    for (const [route, h] of this.latency) {
      LATENCY_BUCKETS.forEach((b, i) => out.push(`ntc_http_request_duration_seconds_bucket${labelText({ route, le: String(b) })} ${h.counts[i]}`));
      out.push(`ntc_http_request_duration_seconds_bucket${labelText({ route, le: '+Inf' })} ${h.count}`);
      out.push(`ntc_http_request_duration_seconds_sum${labelText({ route })} ${h.sum}`);
      out.push(`ntc_http_request_duration_seconds_count${labelText({ route })} ${h.count}`);
    }
    out.push('# HELP ntc_flows_classified_total Flows classified.');
    out.push('# TYPE ntc_flows_classified_total counter');
    out.push(`ntc_flows_classified_total ${this.flowsClassified}`);
    out.push('# HELP ntc_request_errors_total Requests refused or failed, by kind.');
    out.push('# TYPE ntc_request_errors_total counter');
    for (const [kind, n] of this.errors) out.push(`ntc_request_errors_total${labelText({ kind })} ${n}`);
    out.push('# HELP ntc_http_requests_in_flight Requests being handled now.');
    out.push('# TYPE ntc_http_requests_in_flight gauge');
    out.push(`ntc_http_requests_in_flight ${this.inFlight}`);
    out.push('# HELP ntc_memory_releases_total Times memory was given back to the system after requests stopped.');
    out.push('# TYPE ntc_memory_releases_total counter');
    out.push(`ntc_memory_releases_total ${this.memoryReleases}`);
    out.push('# HELP process_resident_memory_bytes Resident memory of the process.');
    out.push('# TYPE process_resident_memory_bytes gauge');
    out.push(`process_resident_memory_bytes ${process.memoryUsage.rss()}`);
    out.push('# HELP process_uptime_seconds Seconds since the service started.');
    out.push('# TYPE process_uptime_seconds gauge');
    out.push(`process_uptime_seconds ${(Date.now() - this.startedAt) / 1000}`);
    return `${out.join('\n')}\n`;
  }
}
