import { createHash } from 'node:crypto';
import type { Proposal } from '../model/proposal.js';
import { MS_PER_MINUTE } from '../util/time.js';
import { DeliveryError } from './errors.js';
import { DEFAULT_RETRY_POLICY, HttpTarget, withRetries, type RetryEvent, type RetryPolicy } from './http.js';
import type { SecretSource, SecretValue } from './secrets.js';
import type { ProposalSink } from './sinks.js';
import { TARGET_NAMES } from './targets.js';

/** Discourse's limit on a topic's external_id (Topic::EXTERNAL_ID_MAX_LENGTH), and its charset `[\w-]`. */
export const DISCOURSE_EXTERNAL_ID_MAX_CHARS = 50;

/**
 * The thread of an asset set: every proposal of one profile for the same set of assets goes to the same
 * topic. Derived from the proposal alone (no stored mapping), so any dispatcher, after any crash, finds
 * the same topic: `la-<profile, 16 chars>-<sha256 of profile and sorted assets, 20 hex>`, at most 40 chars.
 */
export function threadKeyOf(proposal: Pick<Proposal, 'profileId' | 'changes'>): string {
  const assets = [...new Set(proposal.changes.map((c) => c.asset))].sort();
  const digest = createHash('sha256').update(`${proposal.profileId}\n${assets.join('\n')}`).digest('hex').slice(0, 20);
  const profile = proposal.profileId.toLowerCase().replace(/[^a-z0-9-]/g, '-').slice(0, 16).replace(/-+$/, '');
  return `la-${profile}-${digest}`;
}

/**
 * The topic's external_id for a generation of the thread: the key itself, then `<key>-g2`, `-g3`...
 * once moderators closed or archived the previous one (a closed topic takes no replies).
 */
export function externalIdOf(threadKey: string, generation: number): string {
  return generation <= 1 ? threadKey : `${threadKey}-g${generation}`;
}

/** The idempotency marker in every post: the proposal id, which the forum shows and the lookup finds. */
export function proposalMarker(proposalId: string): string {
  return `proposal:${proposalId}`;
}

function markerPattern(proposalId: string): RegExp {
  const escaped = proposalMarker(proposalId).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`${escaped}(?![\\w-])`);
}

/** Sections left out first when a proposal is longer than the forum allows (least needed to vote first). */
const DROPPABLE_SECTIONS = ['Cross-checks', 'Margin schedules', 'Data behind the numbers', 'Steward path', 'Held back by the guard rails', 'Data quality', 'Reasons'];

/**
 * Fits a proposal's Markdown into `maxChars` (Discourse's max_post_length, default 32,000): leaves out
 * whole sections, the least needed to vote first, and says which; the change table and the methodology
 * with its API links stay. Unchanged when it fits.
 */
export function fitToLength(markdown: string, maxChars: number): string {
  if (markdown.length <= maxChars) return markdown;
  const sections = markdown.split(/\n(?=## )/);
  const headingOf = (section: string) => /^## (.+)$/m.exec(section)?.[1]?.trim() ?? '';
  const dropped: string[] = [];
  const notice = () =>
    `\n\n> *Left out to fit the forum's post limit: ${dropped.join(', ')}. The API links below have every figure.*\n`;
  for (const name of DROPPABLE_SECTIONS) {
    const index = sections.findIndex((s) => headingOf(s) === name);
    if (index < 0) continue;
    sections.splice(index, 1);
    dropped.push(name);
    if (sections.join('\n').length + notice().length <= maxChars) break;
  }
  const [head = '', ...rest] = sections;
  const fitted = dropped.length > 0 ? [head + notice(), ...rest].join('\n') : sections.join('\n');
  if (fitted.length <= maxChars) return fitted;
  const cut = '\n\n> *Truncated to fit the forum\'s post limit.*\n';
  return fitted.slice(0, Math.max(0, maxChars - cut.length)) + cut;
}

export interface DiscourseOptions {
  /** e.g. https://governance.example.org */
  baseUrl: string;
  /** Category new topics go to. */
  categoryId: number;
  /** The user the API key acts as (`Api-Username`); only its posts count when looking for a marker. */
  apiUsername: string;
  apiKey: SecretSource;
  policy?: Partial<RetryPolicy>;
  /** Discourse's `max_post_length` (default 32,000 characters). */
  maxPostChars?: number;
  /** Closed generations of one thread walked before giving up (each is one lookup). */
  maxGenerations?: number;
  /** Newest posts of a topic searched for a marker before concluding it is not there. */
  maxScannedPosts?: number;
  /** Posts older than the proposal by more than this cannot be it (allows for clock skew with the forum). */
  clockSkewMs?: number;
  onRetry?: (event: RetryEvent) => void;
}

interface DiscourseSettings {
  maxPostChars: number;
  maxGenerations: number;
  maxScannedPosts: number;
  clockSkewMs: number;
  postsPerRequest: number;
  maxTitleChars: number;
}

export const DISCOURSE_DEFAULTS: Readonly<DiscourseSettings> = {
  maxPostChars: 32_000,
  maxGenerations: 20,
  maxScannedPosts: 200,
  clockSkewMs: 10 * MS_PER_MINUTE,
  /** Discourse's own chunk size for post lists. */
  postsPerRequest: 20,
  /** Under Discourse's default max_topic_title_length (255). */
  maxTitleChars: 250,
};

interface DiscoursePost {
  id: number;
  post_number: number;
  username: string;
  created_at: string;
  cooked?: string;
  raw?: string;
}

interface DiscourseTopic {
  id: number;
  closed?: boolean;
  archived?: boolean;
  deleted_at?: string | null;
  last_posted_at?: string | null;
  post_stream?: { posts?: DiscoursePost[]; stream?: number[] };
}

interface CreatedPost {
  id?: number;
  topic_id?: number;
  post_number?: number;
  action?: string;
}

function isOpen(topic: DiscourseTopic): boolean {
  return !topic.closed && !topic.archived && !topic.deleted_at;
}

function utcDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/**
 * Publishes proposals to a Discourse forum: the first proposal for an asset set opens a topic in the
 * configured category, later ones reply in it.
 *
 * Exactly once, across retries, crashes and concurrent dispatchers, without state of our own:
 *   - each topic carries an `external_id` derived from the asset set (Discourse keeps it unique), and
 *   - each post ends with the proposal's marker (`proposal:<id>`).
 * Every delivery first looks the thread up (`GET /t/external_id/<id>.json`) and searches its newest
 * posts by our user for the marker; only when the proposal is not there does it post. A crash after
 * the forum accepted a post, or a timeout whose post went through, ends in the lookup finding it.
 */
export class DiscourseSink implements ProposalSink {
  readonly target = TARGET_NAMES.discourse;
  readonly isPublic = true;
  private readonly http: HttpTarget;
  private readonly policy: RetryPolicy;
  private readonly settings: DiscourseSettings;
  private lastKey: SecretValue | null = null;

  constructor(private readonly options: DiscourseOptions) {
    this.policy = { ...DEFAULT_RETRY_POLICY, ...options.policy };
    this.settings = {
      ...DISCOURSE_DEFAULTS,
      ...(options.maxPostChars !== undefined ? { maxPostChars: options.maxPostChars } : {}),
      ...(options.maxGenerations !== undefined ? { maxGenerations: options.maxGenerations } : {}),
      ...(options.maxScannedPosts !== undefined ? { maxScannedPosts: options.maxScannedPosts } : {}),
      ...(options.clockSkewMs !== undefined ? { clockSkewMs: options.clockSkewMs } : {}),
    };
    this.http = new HttpTarget({
      name: 'discourse',
      baseUrl: options.baseUrl,
      policy: this.policy,
      secrets: () => (this.lastKey ? [this.lastKey] : []),
    });
  }

  /** Where a post can be read: `<base>/p/<post id>` (Discourse's short link), so the ref carries the post id. */
  postUrl(postId: number): string {
    return `${this.options.baseUrl.replace(/\/+$/, '')}/p/${postId}`;
  }

  async send(proposal: Proposal): Promise<{ externalRef: string }> {
    const post = await withRetries(() => this.deliverOnce(proposal), this.policy, this.options.onRetry);
    return { externalRef: this.postUrl(post.id) };
  }

  /** The Markdown posted: the proposal, fitted to the forum's limit, and the marker. */
  body(proposal: Proposal): string {
    const footer = `\n\n---\n<small>Leverage Advisor · \`${proposalMarker(proposal.id)}\`</small>\n`;
    return fitToLength(proposal.markdown.trimEnd(), this.settings.maxPostChars - footer.length) + footer;
  }

  /**
   * The title of a new topic: the proposal's, dated, with the thread's part number from the second
   * generation on (Discourse rejects a title already in use, closed topics included).
   */
  topicTitle(proposal: Proposal, generation = 1, disambiguate = false): string {
    const part = generation > 1 ? `, part ${generation}` : '';
    const suffix = ` (${utcDay(proposal.createdAtMs)}${part}${disambiguate ? `, ${threadKeyOf(proposal).slice(-8)}` : ''})`;
    const room = this.settings.maxTitleChars - suffix.length;
    const title = proposal.title.length > room ? `${proposal.title.slice(0, room - 1)}…` : proposal.title;
    return title + suffix;
  }

  /** One delivery: look up, then post only if the proposal is not there yet. */
  private async deliverOnce(proposal: Proposal, fromGeneration = 1): Promise<{ id: number }> {
    const key = threadKeyOf(proposal);
    const cutoffMs = proposal.createdAtMs - this.settings.clockSkewMs;
    const { topics, nextGeneration } = await this.findThread(key, fromGeneration);
    for (const topic of topics) {
      if (topic.last_posted_at && Date.parse(topic.last_posted_at) < cutoffMs) continue;
      const existing = await this.findMarkedPost(topic, proposal.id, cutoffMs);
      if (existing) return existing;
    }
    const latest = topics.at(-1);
    if (latest && isOpen(latest)) {
      try {
        return await this.reply(latest.id, this.body(proposal));
      } catch (error) {
        // Closed between the lookup and the reply: a closed topic refuses (403/422); open the next one.
        if (!(error instanceof DeliveryError) || (error.kind !== 'rejected' && error.kind !== 'auth')) throw error;
        const again = await this.topicByExternalId(externalIdOf(key, nextGeneration - 1));
        if (!again || isOpen(again)) throw error;
      }
    }
    return this.createTopic(proposal, key, nextGeneration);
  }

  /** The thread's generations from `fromGeneration`, oldest first, up to the first open one. */
  private async findThread(key: string, fromGeneration: number): Promise<{ topics: DiscourseTopic[]; nextGeneration: number }> {
    const topics: DiscourseTopic[] = [];
    for (let generation = fromGeneration; generation <= this.settings.maxGenerations; generation++) {
      const topic = await this.topicByExternalId(externalIdOf(key, generation));
      if (!topic) return { topics, nextGeneration: generation };
      topics.push(topic);
      if (isOpen(topic)) return { topics, nextGeneration: generation + 1 };
    }
    throw new DeliveryError('rejected', `discourse: thread ${key} has ${this.settings.maxGenerations} closed topics; open one or raise the limit`, {
      target: 'discourse',
    });
  }

  private async headers(): Promise<Record<string, string>> {
    const key = await this.options.apiKey.get();
    this.lastKey = key;
    return { 'Api-Key': key.reveal(), 'Api-Username': this.options.apiUsername };
  }

  private async call<T>(method: 'GET' | 'POST', path: string, data?: unknown, allow?: number[]) {
    try {
      // Lookups may follow the forum's own redirects (external_id -> topic); posts never follow any.
      return await this.http.request<T>({ method, path, headers: await this.headers(), data, followSameOriginRedirects: method === 'GET', ...(allow ? { allow } : {}) });
    } catch (error) {
      // A rotated key: fetch it again next time.
      if (error instanceof DeliveryError && error.kind === 'auth') this.options.apiKey.invalidate();
      throw error;
    }
  }

  /** `GET /t/external_id/<id>.json` (Discourse answers with a 301 to the topic's JSON, on the same forum); null on 404. */
  private async topicByExternalId(externalId: string): Promise<DiscourseTopic | null> {
    const response = await this.call<DiscourseTopic>('GET', `/t/external_id/${encodeURIComponent(externalId)}.json`, undefined, [404]);
    return response.status === 404 ? null : response.data;
  }

  /**
   * Our post carrying the proposal's marker, searching the topic's newest posts first and stopping at
   * posts older than the proposal (it cannot be among them).
   */
  private async findMarkedPost(topic: DiscourseTopic, proposalId: string, cutoffMs: number): Promise<DiscoursePost | null> {
    const marker = markerPattern(proposalId);
    const user = this.options.apiUsername.toLowerCase();
    const loaded = new Map((topic.post_stream?.posts ?? []).map((p) => [p.id, p]));
    const newestFirst = [...(topic.post_stream?.stream ?? [...loaded.keys()])].reverse().slice(0, this.settings.maxScannedPosts);
    for (let i = 0; i < newestFirst.length; i += this.settings.postsPerRequest) {
      const chunk = newestFirst.slice(i, i + this.settings.postsPerRequest);
      const missing = chunk.filter((id) => !loaded.has(id));
      if (missing.length > 0) {
        const query = missing.map((id) => `post_ids[]=${id}`).join('&');
        const response = await this.call<{ post_stream?: { posts?: DiscoursePost[] } }>('GET', `/t/${topic.id}/posts.json?${query}`);
        for (const post of response.data.post_stream?.posts ?? []) loaded.set(post.id, post);
      }
      let reachedOlder = false;
      for (const id of chunk) {
        const post = loaded.get(id);
        if (!post) continue;
        if (post.username.toLowerCase() === user && marker.test(post.raw ?? post.cooked ?? '')) return post;
        if (Date.parse(post.created_at) < cutoffMs) reachedOlder = true;
      }
      if (reachedOlder) return null;
    }
    return null;
  }

  private async reply(topicId: number, raw: string): Promise<{ id: number }> {
    const response = await this.call<CreatedPost>('POST', '/posts.json', { topic_id: topicId, raw });
    return this.created(response.data);
  }

  /**
   * Opens generation `generation` of the thread. A 422 is checked against the forum before it is
   * believed: when another dispatcher created the topic first (external_id taken), the lookup now finds
   * it, and a transient error makes the retry reply there instead.
   */
  private async createTopic(proposal: Proposal, key: string, generation: number, disambiguate = false): Promise<{ id: number }> {
    const externalId = externalIdOf(key, generation);
    try {
      const response = await this.call<CreatedPost>('POST', '/posts.json', {
        title: this.topicTitle(proposal, generation, disambiguate),
        raw: this.body(proposal),
        category: this.options.categoryId,
        external_id: externalId,
      });
      return this.created(response.data);
    } catch (error) {
      if (!(error instanceof DeliveryError) || error.kind !== 'rejected' || error.details.status !== 422) throw error;
      if (await this.topicByExternalId(externalId)) {
        throw new DeliveryError('transient', `discourse: topic ${externalId} was created concurrently; looking it up again`, { target: 'discourse' });
      }
      // The id is held by a topic we cannot see (deleted by moderators): the thread goes on from the
      // next generation, which may already exist.
      if (/external/i.test(error.message) && generation < this.settings.maxGenerations) {
        return this.deliverOnce(proposal, generation + 1);
      }
      if (!disambiguate && /title/i.test(error.message) && /(already|used|taken)/i.test(error.message)) {
        return this.createTopic(proposal, key, generation, true);
      }
      throw error;
    }
  }

  private created(data: CreatedPost): { id: number } {
    if (typeof data?.id !== 'number') {
      // e.g. {"action":"enqueued"}: held for moderator approval, so nothing was published.
      throw new DeliveryError('rejected', `discourse: the post was not published (${data?.action ?? 'no post id in the response'})`, {
        target: 'discourse',
      });
    }
    return { id: data.id };
  }
}
