// Shapes of the unirec API answers the pages use (see GET /openapi.json).

export type Attributes = Record<string, string | number | boolean | null | (string | number)[]>;

export interface ModelInfo {
  name: string;
  version: number;
  params: Record<string, unknown>;
  metrics: Record<string, number>;
  checksum: string;
  created: number;
  active: boolean;
  trainedThroughSeq: number;
  bytes: number;
}

export interface Counted {
  id: string;
  title?: string;
  events: number;
}

export interface Overview {
  users: number;
  items: number;
  events: number;
  model: string | null;
  activeModel: ModelInfo | null;
  training: boolean;
  eventStats: {
    perDay: { day: string; events: number }[];
    undated: number;
    kinds: { kind: string; events: number }[];
    total: number;
  } | null;
  topItems: Counted[];
  topUsers: Counted[];
}

export interface HistoryEvent {
  id: string;
  title?: string;
  value: number;
  ts: number | null;
  kind: string;
  seq: number;
}

export interface UserPage {
  id: string;
  attributes: Attributes;
  events: number;
  history: HistoryEvent[];
  model: { label: string; trainedOnUser: boolean; newerEvents: boolean } | null;
}

export interface ScoredItem {
  id: string;
  score: number;
  title?: string;
  reasons: string[];
}

export interface Recommendation {
  user: string;
  items: ScoredItem[];
  model: string;
  fallback: boolean;
}

export interface ItemPage {
  id: string;
  title?: string;
  attributes: Attributes;
  events: number;
  cf: { items: ScoredItem[]; model: string; fallback: boolean };
  content: { id: string; title?: string; score: number; shared: string[] }[];
}

export interface TrainJob {
  id: number;
  model: string;
  params: Record<string, unknown>;
  status: 'queued' | 'running' | 'done' | 'failed' | 'cancelled';
  started: number;
  finished?: number;
  version?: number;
  activated?: boolean;
  error?: string;
}

export interface Models {
  active: string | null;
  models: ModelInfo[];
  jobs: TrainJob[];
  available: string[];
}

export interface EvalRun {
  source: string;
  /** tells runs of the same model apart (as in `unirec report`) */
  label: string;
  model: string;
  protocol: string;
  dataset?: string;
  seed?: number;
  params: Record<string, unknown>;
  data: { users: number; items: number; interactions: number };
  /** null: undefined for this run */
  metrics: Record<string, number | null>;
  fit_seconds: number;
  eval_seconds: number;
}

export interface Runs {
  dir: string | null;
  runs: EvalRun[];
  problems: { source: string; error: string }[];
}
