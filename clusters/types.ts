import type { Capability } from '../helpers/capabilities.ts';
import type { ProviderFacts } from './facts.ts';

/** The ways `run` gets a cluster; `existing` never creates or deletes one. */
export const PROVIDER_NAMES = ['kind', 'existing', 'kwok'] as const;
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

/**
 * What a provider brings to the install path beyond a kubeconfig. kwok installs from its build cache (no
 * download at run time) and runs the Sail operator as a process, since its pods are fakes.
 */
export interface InstallSupport {
  /** helm to run instead of the one on PATH. */
  readonly helmBinary?: string;
  /** A local Sail chart directory to install instead of the repository's. */
  readonly operatorChart?: string;
  /** Gateway API CRDs (one multi-document file) to apply instead of downloading the release bundle. */
  readonly gatewayApiBundle?: string;
  /** A samples folder (the `--manifests-dir` layout) used when the user passed none. */
  readonly manifestsDir?: string;
  /** Puts the release files the installer would download into its fetch cache (kwok: from the build cache). */
  readonly seedCache?: (cacheDir: string) => Promise<void>;
  /** Facts about this cluster a report must state (e.g. disabled admission plugins). */
  readonly notes?: readonly string[];
  /** Runs the operator after the chart is installed; the provider's destroy stops it. */
  readonly startOperator?: (signal: AbortSignal) => Promise<{ describe: string; logPath: string }>;
}

export interface InstallSupporter {
  installSupport(): InstallSupport;
}

export function supportsInstall(provider: ClusterProvider): provider is ClusterProvider & InstallSupporter {
  return typeof (provider as Partial<InstallSupporter>).installSupport === 'function';
}
