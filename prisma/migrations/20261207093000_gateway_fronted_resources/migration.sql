-- A resource fronted by the MCP gateway: the upstream MCP endpoint the gateway forwards to, which
-- scope each tool needs, and the header that carries a vaulted API key upstream.
ALTER TABLE "resources" ADD COLUMN "gateway_upstream_url" TEXT,
ADD COLUMN "gateway_tool_scopes" JSONB NOT NULL DEFAULT '{}',
ADD COLUMN "gateway_key_header" TEXT NOT NULL DEFAULT 'x-api-key';
