import type { Capability } from '../helpers/capabilities.ts';
import type { ProviderFacts } from './facts.ts';

/** The two ways `run` gets a cluster; `existing` never creates or deletes one. */
export const PROVIDER_NAMES = ['kind', 'existing'] as const;
export type ProviderName = (typeof PROVIDER_NAMES)[number];

/** A cluster the suite can talk to: where its kubeconfig is and which context to use. */
export interface ClusterHandle {
  readonly provider: ProviderName;
  /** kind cluster name, or the kubeconfig context of an existing cluster. */
  readonly name: string;
  readonly kubeconfigPath: string;
  readonly context?: string;
  readonly facts: ProviderFacts;
}

/**
 * The verbs every provider has. Optional powers (loading images, …) are separate interfaces so a caller needing
 * one asks for it by type and a provider without it says so in a sentence.
 */
export interface ClusterProvider {
  readonly name: ProviderName;
  /**
   * What the cluster can do beyond the Kubernetes API (helpers/capabilities.ts): a declared set, so a plan step
   * needing something not in it is reported `not run: <capability> missing` instead of failing or passing.
   */
  readonly capabilities: ReadonlySet<Capability>;
  /** Creates the cluster (or reuses a live one of the same name, or attaches to an existing one). */
  up(signal: AbortSignal): Promise<ClusterHandle>;
  /** Removes what `up` created; a no-op for a cluster the suite did not create. */
  destroy(signal?: AbortSignal): Promise<void>;
  /** Writes node and component logs under `dir`. */
  exportLogs(dir: string, signal?: AbortSignal): Promise<void>;
  readonly kubeconfigPath: string;
  /** One line for humans; never contains credentials. */
  describe(): string;
}

/** Loads container images into every node, so pods do not pull them from the internet. */
export interface ImageLoader {
  loadImages(images: readonly string[], signal: AbortSignal): Promise<void>;
}

/** How a user reaches a kept cluster and how to delete it later. */
export interface KeepInstructions {
  keepInstructions(runId: string): string[];
}

export function canLoadImages(provider: ClusterProvider): provider is ClusterProvider & ImageLoader {
  return typeof (provider as Partial<ImageLoader>).loadImages === 'function';
}

export function canExplainKeep(provider: ClusterProvider): provider is ClusterProvider & KeepInstructions {
  return typeof (provider as Partial<KeepInstructions>).keepInstructions === 'function';
}
