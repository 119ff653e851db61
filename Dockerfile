FROM node:20-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
COPY apps/api/package.json apps/api/
COPY apps/worker/package.json apps/worker/
COPY apps/demo-mcp/package.json apps/demo-mcp/
COPY apps/mcp-gateway/package.json apps/mcp-gateway/
COPY apps/admin/package.json apps/admin/
COPY libs libs
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build
ENV NODE_ENV=production HOST=0.0.0.0 PORT=3000
EXPOSE 3000
CMD ["node", "scripts/start.mjs", "--no-build"]
