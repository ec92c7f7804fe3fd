import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FaultScript, delay, readBody, type Fault } from './http-faults.js';

/**
 * A Discourse forum on loopback, with the endpoints the advisor uses and Discourse's behaviour where it
 * matters for exactly-once publishing:
 *  - POST /posts.json: a topic (title, raw, category, external_id) or a reply (topic_id, raw);
 *    422s with Discourse's messages for a short title or body, a title already used, an external_id
 *    already taken; 403 for a reply to a closed topic;
 *  - GET /t/external_id/{id}.json: 301 to /t/{slug}/{id}.json, or 404;
 *  - GET /t/{slug}/{id}.json, /t/{id}.json: the topic with the first 20 posts (cooked; raw with
 *    include_raw) and the stream of every post id;
 *  - GET /t/{id}/posts.json?post_ids[]=: those posts.
 * Every request needs the right Api-Key and Api-Username (else 403, as Discourse answers). Faults are
 * scripted per request (see FaultScript).
 */

export interface ForumPost {
  id: number;
  topicId: number;
  postNumber: number;
  username: string;
  raw: string;
  createdAtMs: number;
}

export interface ForumTopic {
  id: number;
  title: string;
  slug: string;
  categoryId: number;
  externalId: string | null;
  closed: boolean;
  archived: boolean;
  /** Deleted by a moderator: invisible to the API user, yet its external_id stays taken. */
  deleted?: boolean;
  posts: ForumPost[];
}

export interface RequestRecord {
  method: string;
  path: string;
  status: number;
}

export interface DiscourseServerOptions {
  apiKey: string;
  apiUsername: string;
  categories?: number[];
  minTitleChars?: number;
  minPostChars?: number;
  /** The forum's clock (epoch ms): tests share a virtual clock with the client's sleeps. */
  now?: () => number;
}

const CHUNK = 20;

function json(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text), ...headers });
  response.end(text);
}

function cook(raw: string): string {
  const escaped = raw.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  return `<p>${escaped.replace(/`([^`]+)`/g, '<code>$1</code>')}</p>`;
}

function slugify(title: string): string {
  return title.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'topic';
}

export class FakeDiscourse {
  readonly topics: ForumTopic[] = [];
  readonly requests: RequestRecord[] = [];
  readonly faults = new FaultScript();
  /** Random faults: asked for each request that no scripted fault takes. */
  chaos: ((request: { method: string; path: string }) => Fault | null) | null = null;
  /** Requests that were still being handled after the client gave up (slow responses). */
  private inflight = new Set<Promise<void>>();
  private server!: Server;
  private nextTopicId = 100;
  private nextPostId = 1000;
  private rateLimits: { match: Fault['match']; waitSeconds: number; untilMs: number | null }[] = [];
  url = '';

  constructor(private options: DiscourseServerOptions) {}

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const work = this.handle(req, res).catch((error: unknown) => {
        if (!res.headersSent) json(res, 500, { errors: [String(error)] });
      });
      this.inflight.add(work);
      void work.finally(() => this.inflight.delete(work));
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    await this.settle();
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }

  /** Waits for requests still being handled (a slow response the client already gave up on). */
  async settle(): Promise<void> {
    while (this.inflight.size > 0) await Promise.all([...this.inflight]);
  }

  fault(fault: Fault): void {
    this.faults.add(fault);
  }

  /**
   * Discourse's rate limiter: the next matching request starts a block of `waitSeconds` (by the forum's
   * clock) and gets a 429; so does every matching request inside the block, told the time left. A client
   * that honours the wait sees exactly one 429.
   */
  rateLimit(match: Fault['match'], waitSeconds: number): void {
    this.rateLimits.push({ match, waitSeconds, untilMs: null });
  }

  private now(): number {
    return this.options.now?.() ?? Date.now();
  }

  private rateLimited(method: string, path: string): number | null {
    for (const limit of this.rateLimits) {
      if (!limit.match({ method, path })) continue;
      if (limit.untilMs === null) limit.untilMs = this.now() + limit.waitSeconds * 1000;
      const leftMs = limit.untilMs - this.now();
      if (leftMs > 0) return Math.ceil(leftMs / 1000);
    }
    return null;
  }

  /** Every post, in deleted topics too. */
  get posts(): ForumPost[] {
    return this.topics.flatMap((t) => t.posts);
  }

  /** Posts whose text carries this marker: the advisor's idempotency key. */
  postsWith(marker: string): ForumPost[] {
    return this.posts.filter((p) => p.raw.includes(marker));
  }

  /** Including deleted topics: Discourse's uniqueness check sees them. */
  topicByExternalId(externalId: string): ForumTopic | undefined {
    return this.topics.find((t) => t.externalId?.toLowerCase() === externalId.toLowerCase());
  }

  /** A moderator deletes the topic. */
  delete(topicId: number): void {
    const topic = this.topics.find((t) => t.id === topicId);
    if (topic) topic.deleted = true;
  }

  /** The admin rotates the API key: the old one is refused from now on. */
  rotateKey(apiKey: string): void {
    this.options.apiKey = apiKey;
  }

  /** A moderator closes the topic: it takes no more replies. */
  close(topicId: number): void {
    const topic = this.topics.find((t) => t.id === topicId);
    if (topic) topic.closed = true;
  }

  /** A post written by someone else (a DAO member), e.g. quoting the advisor's marker. */
  addForeignPost(topicId: number, username: string, raw: string): void {
    const topic = this.topics.find((t) => t.id === topicId)!;
    topic.posts.push({ id: this.nextPostId++, topicId, postNumber: topic.posts.length + 1, username, raw, createdAtMs: this.now() });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const method = req.method ?? 'GET';
    const body = await readBody(req);
    const record: RequestRecord = { method, path: url.pathname, status: 0 };
    this.requests.push(record);
    const send = (status: number, payload: unknown, headers: Record<string, string> = {}) => {
      record.status = status;
      if (res.destroyed) return; // the client gave up; the work is done anyway
      json(res, status, payload, headers);
    };

    if (req.headers['api-key'] !== this.options.apiKey || req.headers['api-username'] !== this.options.apiUsername) {
      return send(403, {
        errors: ['You are not permitted to view the requested resource. The API username or key is invalid.'],
        error_type: 'invalid_access',
      });
    }
    const waitSeconds = this.rateLimited(method, url.pathname);
    if (waitSeconds !== null) {
      return send(
        429,
        {
          errors: [`You’ve performed this action too many times. Please wait ${waitSeconds} seconds before trying again.`],
          error_type: 'rate_limit',
          extras: { wait_seconds: waitSeconds, time_left: `${waitSeconds} seconds` },
        },
        { 'Retry-After': String(waitSeconds) },
      );
    }
    const fault = this.faults.take(method, url.pathname) ?? this.chaos?.({ method, path: url.pathname }) ?? null;
    if (fault?.respond) return send(fault.respond.status, fault.respond.body ?? {}, fault.respond.headers);
    if (fault?.workAfter) await fault.workAfter;

    const [status, payload, headers] = this.route(method, url, body);
    if (fault?.respondDelayMs) await delay(fault.respondDelayMs);
    if (fault?.respondAfter) await fault.respondAfter;
    if (fault?.dropAfterWork) return void res.destroy();
    if (fault?.after) return send(fault.after.status, fault.after.body ?? { errors: ['Internal Server Error'] });
    send(status, payload, headers);
  }

  private route(method: string, url: URL, body: string): [number, unknown, Record<string, string>?] {
    const path = url.pathname;
    let match: RegExpExecArray | null;
    if (method === 'POST' && path === '/posts.json') return this.createPost(JSON.parse(body || '{}') as Record<string, unknown>);
    if (method === 'GET' && (match = /^\/t\/external_id\/([^/]+)\.json$/.exec(path))) {
      const topic = this.topicByExternalId(decodeURIComponent(match[1]!));
      if (!topic || topic.deleted) return [404, { errors: ['The requested URL or resource could not be found.'], error_type: 'not_found' }];
      return [301, {}, { Location: `/t/${topic.slug}/${topic.id}.json` }];
    }
    if (method === 'GET' && (match = /^\/t\/(\d+)\/posts\.json$/.exec(path))) {
      const topic = this.visibleTopic(Number(match[1]));
      if (!topic) return [404, { errors: ['not found'] }];
      const ids = new Set(url.searchParams.getAll('post_ids[]').map(Number));
      return [200, { post_stream: { posts: topic.posts.filter((p) => ids.has(p.id)).map((p) => this.serializePost(p, false)) } }];
    }
    if (method === 'GET' && (match = /^\/t\/(?:[^/]+\/)?(\d+)\.json$/.exec(path))) {
      const topic = this.visibleTopic(Number(match[1]));
      if (!topic) return [404, { errors: ['The requested URL or resource could not be found.'] }];
      return [200, this.serializeTopic(topic, url.searchParams.has('include_raw'))];
    }
    return [404, { errors: ['The requested URL or resource could not be found.'] }];
  }

  private visibleTopic(id: number): ForumTopic | undefined {
    return this.topics.find((t) => t.id === id && !t.deleted);
  }

  private serializePost(post: ForumPost, includeRaw: boolean) {
    return {
      id: post.id,
      topic_id: post.topicId,
      post_number: post.postNumber,
      username: post.username,
      created_at: new Date(post.createdAtMs).toISOString(),
      cooked: cook(post.raw),
      ...(includeRaw ? { raw: post.raw } : {}),
    };
  }

  private serializeTopic(topic: ForumTopic, includeRaw: boolean) {
    const last = topic.posts.at(-1);
    return {
      id: topic.id,
      title: topic.title,
      slug: topic.slug,
      category_id: topic.categoryId,
      external_id: topic.externalId,
      closed: topic.closed,
      archived: topic.archived,
      posts_count: topic.posts.length,
      last_posted_at: last ? new Date(last.createdAtMs).toISOString() : null,
      post_stream: { posts: topic.posts.slice(0, CHUNK).map((p) => this.serializePost(p, includeRaw)), stream: topic.posts.map((p) => p.id) },
    };
  }

  private invalid(message: string): [number, unknown] {
    return [422, { action: 'create_post', errors: [message] }];
  }

  private createPost(params: Record<string, unknown>): [number, unknown] {
    const raw = typeof params.raw === 'string' ? params.raw : '';
    if (raw.trim().length < (this.options.minPostChars ?? 20)) return this.invalid(`Body is too short (minimum is ${this.options.minPostChars ?? 20} characters)`);
    const username = this.options.apiUsername;
    if (params.topic_id !== undefined) {
      const topic = this.visibleTopic(Number(params.topic_id));
      if (!topic) return [404, { errors: ['The requested URL or resource could not be found.'] }];
      if (topic.closed || topic.archived) return [403, { errors: ['You are not permitted to view the requested resource.'], error_type: 'invalid_access' }];
      const post: ForumPost = { id: this.nextPostId++, topicId: topic.id, postNumber: topic.posts.length + 1, username, raw, createdAtMs: this.now() };
      topic.posts.push(post);
      return [200, { id: post.id, topic_id: topic.id, post_number: post.postNumber, username }];
    }
    const title = typeof params.title === 'string' ? params.title.trim() : '';
    const minTitle = this.options.minTitleChars ?? 15;
    if (title.length < minTitle) return this.invalid(`Title is too short (minimum is ${minTitle} characters)`);
    if (title.length > 255) return this.invalid('Title is too long (maximum is 255 characters)');
    if (this.topics.some((t) => !t.deleted && t.title.toLowerCase() === title.toLowerCase())) return this.invalid('Title has already been used');
    const categoryId = Number(params.category);
    if (this.options.categories && !this.options.categories.includes(categoryId)) return this.invalid('Category can’t be blank');
    const externalId = typeof params.external_id === 'string' ? params.external_id : null;
    if (externalId !== null) {
      if (externalId.length > 50 || !/^[\w-]+$/.test(externalId)) return this.invalid('External ID is invalid');
      if (this.topicByExternalId(externalId)) return this.invalid('External ID has already been taken');
    }
    const topic: ForumTopic = { id: this.nextTopicId++, title, slug: slugify(title), categoryId, externalId, closed: false, archived: false, posts: [] };
    const post: ForumPost = { id: this.nextPostId++, topicId: topic.id, postNumber: 1, username, raw, createdAtMs: this.now() };
    topic.posts.push(post);
    this.topics.push(topic);
    return [200, { id: post.id, topic_id: topic.id, post_number: 1, username }];
  }
}

export async function startFakeDiscourse(options: DiscourseServerOptions): Promise<FakeDiscourse> {
  return new FakeDiscourse(options).start();
}

/** One request a loopback server received, with the credential headers it carried (if any). */
export interface ReceivedRequest {
  method: string;
  path: string;
  apiKey: string | null;
  signature: string | null;
  body: string;
}

/**
 * A plain loopback HTTP server that records every request (with its Api-Key / X-Signature headers) and
 * answers with `respond`: the "other host" of the redirect tests, and the redirecting front itself.
 */
export class RecordingServer {
  readonly received: ReceivedRequest[] = [];
  private server: Server | null = null;
  url = '';

  constructor(private readonly respond: (request: { method: string; path: string }) => [status: number, body: unknown, headers?: Record<string, string>]) {}

  async start(): Promise<this> {
    this.server = createServer((request: IncomingMessage, response: ServerResponse) => {
      void readBody(request).then((body) => {
        const method = request.method ?? 'GET';
        const path = request.url ?? '/';
        const header = (name: string) => (typeof request.headers[name] === 'string' ? (request.headers[name] as string) : null);
        this.received.push({ method, path, apiKey: header('api-key'), signature: header('x-signature'), body });
        const [status, payload, headers] = this.respond({ method, path });
        json(response, status, payload, headers);
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
