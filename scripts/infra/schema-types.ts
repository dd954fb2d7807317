/** The provider schema the infra check reads (written by provider-schema-extract.ts). */
export interface SchemaAttr {
  required?: true;
  /** The provider's description, when it says the argument is deprecated. */
  deprecated?: string;
}

export interface SchemaBlock {
  /** `single`: at most one (max_items 1); `list`: repeatable. */
  nesting: 'single' | 'list';
  required?: true;
  body: SchemaBody;
}

export interface SchemaBody {
  attrs: Record<string, SchemaAttr>;
  blocks: Record<string, SchemaBlock>;
}

export interface ProviderSchema {
  /** The registry package it came from, e.g. `@cdktf/provider-google@16.12.1`. */
  package: string;
  /** e.g. `hashicorp/google` and `6.50.0`. */
  provider: string;
  version: string;
  resources: Record<string, SchemaBody>;
  dataSources: Record<string, SchemaBody>;
}
