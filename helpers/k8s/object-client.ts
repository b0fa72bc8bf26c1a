import {
  ApiException,
  HttpMethod,
  type KubeConfig,
  type KubernetesObject,
  KubernetesObjectApi,
  type ResponseContext,
} from '@kubernetes/client-node';

export interface RequestOptions {
  query?: Record<string, string | number | boolean | undefined>;
  body?: string;
  contentType?: string;
  signal?: AbortSignal;
}

/** What the path of a resource is resolved from (discovery tells plural and scope). */
export interface ResourceTarget {
  apiVersion: string;
  kind: string;
  name?: string;
  namespace?: string;
}

/**
 * `KubernetesObjectApi` that sends and returns raw JSON. The stock `patch`/`read` pass objects through
 * client-node's model serializer, which keeps only the fields its models know under their camelCase names: a CRD's
 * `x-kubernetes-preserve-unknown-fields` or a field newer than the models would be dropped silently, and replies
 * would come back with `Date` objects. Path resolution (discovery, plural, scope, caching) is the stock one.
 */
export class RawObjectClient extends KubernetesObjectApi {
  static forConfig(kc: KubeConfig): RawObjectClient {
    const client = kc.makeApiClient(RawObjectClient);
    client.setDefaultNamespace(kc);
    return client;
  }

  /** `/apis/<group>/<version>/[namespaces/<ns>/]<plural>[/<name>]`; `list` without a namespace is cluster-wide. */
  async pathOf(target: ResourceTarget, action: 'read' | 'list'): Promise<string> {
    const metadata: { name?: string; namespace?: string } = {};
    if (target.name !== undefined) metadata.name = target.name;
    if (target.namespace !== undefined) metadata.namespace = target.namespace;
    return this.specUriPath({ apiVersion: target.apiVersion, kind: target.kind, metadata }, action);
  }

  /** One HTTP request; resolves with the parsed JSON answer, rejects with `ApiException` on a non-2xx status. */
  async send(method: keyof typeof HttpMethod, path: string, options: RequestOptions = {}): Promise<unknown> {
    const context = this.configuration.baseServer.makeRequestContext(path, HttpMethod[method]);
    context.setHeaderParam('Accept', 'application/json');
    for (const [key, value] of Object.entries(options.query ?? {})) {
      if (value !== undefined) context.setQueryParam(key, String(value));
    }
    if (options.body !== undefined) {
      context.setHeaderParam('Content-Type', options.contentType ?? 'application/json');
      context.setBody(options.body);
    }
    if (options.signal) context.setSignal(options.signal);
    return this.requestPromise<KubernetesObject>(context);
  }

  protected override async processResponse<T extends KubernetesObject>(
    response: ResponseContext,
  ): Promise<T> {
    const text = await response.body.text();
    if (response.httpStatusCode < 200 || response.httpStatusCode > 299) {
      throw new ApiException(response.httpStatusCode, 'Unsuccessful HTTP Request', text, response.headers);
    }
    return (text.trim() === '' ? {} : JSON.parse(text)) as T;
  }
}
